//! Charts as inline SVG, drawn from exact decimals: a coordinate is the
//! decimal scaled to the chart and rounded to a tenth of a pixel. Every
//! text in a chart is escaped; each chart has a title for screen readers,
//! and the page puts a table with the same figures next to it.

use std::fmt::Write as _;

use rust_decimal::{Decimal, RoundingStrategy};

const WIDTH: i64 = 480;
const HEIGHT: i64 = 180;
const LEFT: i64 = 8;
const BOTTOM: i64 = 24;
const TOP: i64 = 16;

/// A bar per label, heights in proportion to the largest (negative amounts
/// draw no bar; the table beside shows them).
pub fn bar_chart(title: &str, bars: &[(String, Decimal)]) -> String {
    let mut svg = open(WIDTH, HEIGHT, title);
    let max = bars
        .iter()
        .map(|(_, v)| *v)
        .fold(Decimal::ZERO, Decimal::max);
    let count = i64::try_from(bars.len()).unwrap_or(1).max(1);
    let slot = Decimal::from(WIDTH - 2 * LEFT) / Decimal::from(count);
    let plot = Decimal::from(HEIGHT - BOTTOM - TOP);
    let base = HEIGHT - BOTTOM;
    let _ = write!(
        svg,
        r#"<line x1="{LEFT}" y1="{base}" x2="{}" y2="{base}" class="axis"/>"#,
        WIDTH - LEFT
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let x = Decimal::from(LEFT) + slot * Decimal::from(i as u64);
        let height = if max > Decimal::ZERO && *value > Decimal::ZERO {
            plot * *value / max
        } else {
            Decimal::ZERO
        };
        let y = Decimal::from(base) - height;
        // At most 48 pixels wide, centred in its slot: one month alone is
        // still a bar, not a block.
        let bar_width = (slot * Decimal::new(7, 1)).min(Decimal::from(48));
        let _ = write!(
            svg,
            r#"<rect x="{}" y="{}" width="{}" height="{}" class="bar"/>"#,
            px(x + (slot - bar_width) / Decimal::TWO),
            px(y),
            px(bar_width),
            px(height)
        );
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" class="label">{}</text>"#,
            px(x + slot / Decimal::TWO),
            HEIGHT - 8,
            escape(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The Lorenz curve of `points` (shares of people and of the total, 0 to
/// 1) against the line of equality.
pub fn lorenz_chart(title: &str, points: &[(Decimal, Decimal)]) -> String {
    let size = 240;
    let side = Decimal::from(size - 2 * LEFT);
    let mut svg = open(size, size, title);
    let at = |(x, y): (Decimal, Decimal)| {
        format!(
            "{},{}",
            px(Decimal::from(LEFT) + x * side),
            px(Decimal::from(size - LEFT) - y * side)
        )
    };
    let _ = write!(
        svg,
        r#"<rect x="{LEFT}" y="{LEFT}" width="{0}" height="{0}" class="frame"/>"#,
        px(side)
    );
    let _ = write!(
        svg,
        r#"<line x1="{LEFT}" y1="{}" x2="{}" y2="{LEFT}" class="equality"/>"#,
        size - LEFT,
        size - LEFT
    );
    let line: Vec<String> = points.iter().map(|p| at(*p)).collect();
    let _ = write!(
        svg,
        r#"<polyline points="{}" class="curve"/>"#,
        line.join(" ")
    );
    svg.push_str("</svg>");
    svg
}

/// Inline SVG in HTML needs no namespace attribute (the HTML parser puts
/// `<svg>` in it), so a page names no address at all.
fn open(width: i64, height: i64, title: &str) -> String {
    format!(
        r#"<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{0}"><title>{0}</title>"#,
        escape(title)
    )
}

/// A coordinate to a tenth of a pixel.
fn px(value: Decimal) -> String {
    let rounded = value.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    crate::value::plain_decimal(rounded)
}

/// Text for SVG and HTML: `&`, `<`, `>`, `"` and `'` as entities.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}
