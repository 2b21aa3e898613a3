//! The pages, from templates embedded in the binary: minijinja with HTML
//! escaping of every value (the only unescaped values are the charts, whose
//! texts `svg.rs` escapes, and the style sheet, which is ours).

use minijinja::{AutoEscape, Environment, Value, context};

use super::overview::Overview;
use super::statement::Statement;

const STYLE: &str = include_str!("templates/style.css");
const STATEMENT: &str = include_str!("templates/statement.html");
const INDEX: &str = include_str!("templates/index.html");

/// The templates, parsed once.
pub struct Pages {
    env: Environment<'static>,
}

impl Pages {
    pub fn new() -> Result<Pages, minijinja::Error> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.add_template("statement.html", STATEMENT)?;
        env.add_template("index.html", INDEX)?;
        Ok(Pages { env })
    }

    /// One person's statement.
    pub fn statement(&self, statement: &Statement) -> Result<String, minijinja::Error> {
        self.env
            .get_template("statement.html")?
            .render(context! { s => statement, style => style() })
    }

    /// The organisation's report.
    pub fn index(&self, overview: &Overview) -> Result<String, minijinja::Error> {
        self.env
            .get_template("index.html")?
            .render(context! { o => overview, style => style() })
    }
}

fn style() -> Value {
    Value::from_safe_string(STYLE.to_string())
}
