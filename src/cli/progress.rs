//! A progress bar for long evaluations: on stderr, only when stderr is a
//! terminal, and only once the work has taken more than a second (short
//! runs stay quiet, and pipes and CI logs never see it).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Shows bytes of the log read so far, after a second.
pub struct ProgressBar {
    started: Instant,
    bar: Option<indicatif::ProgressBar>,
    enabled: bool,
}

impl ProgressBar {
    pub fn new() -> ProgressBar {
        ProgressBar {
            started: Instant::now(),
            bar: None,
            enabled: std::io::stderr().is_terminal(),
        }
    }

    /// `done` of `total` bytes.
    pub fn update(&mut self, done: u64, total: u64) {
        if !self.enabled {
            return;
        }
        if self.bar.is_none() && self.started.elapsed() > Duration::from_secs(1) {
            let bar = indicatif::ProgressBar::new(total);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} evaluating {bar:40} {bytes}/{total_bytes} ({eta} left)",
            ) {
                bar.set_style(style);
            }
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    }

    /// Removes the bar, if it was shown.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Default for ProgressBar {
    fn default() -> Self {
        ProgressBar::new()
    }
}
