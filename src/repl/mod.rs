//! `meed repl`: an interactive session over one policy, log and roster.
//!
//! The session is a library type ([`Session`]) that takes one input (an
//! expression, a declaration or a `:command`) and returns the text to show,
//! so tests drive it directly and the terminal glue ([`line`]) stays thin.
//!
//! ```text
//! meed(community.meed, log.csv)> 5 EUR + 0.02 EUR * 120
//! 7.40 EUR : Money(EUR)
//! meed(community.meed, log.csv)> :set review_points = 5 pts
//! meed(community.meed, log.csv)> :diff
//! ```

mod commands;
pub mod complete;
mod error;
pub mod line;
mod listing;
mod policy;
pub mod session;

pub use complete::Completions;
pub use error::ReplError;
pub use session::{Reply, ReplyStatus, Session, is_complete};
