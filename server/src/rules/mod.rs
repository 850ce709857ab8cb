//! The rules language (contract §5; `docs/rules.md`): a safe expression grammar over a
//! fixed set of verdict fields, parsed and type-checked into an AST when a rule is saved
//! and evaluated — never executed as code — at step 4 of every verdict read (contract §4).
//!
//! ```
//! use botect::domain::{Action, Band};
//! use botect::rules::{self, Rule, RuleInput};
//!
//! let expr = rules::parse(r#"score < 30 AND path == "/login" AND NOT verified_bot"#).unwrap();
//! let input = RuleInput { score: 12, band: Band::LikelyAutomated, path: Some("/login"), ..Default::default() };
//! assert!(rules::eval(&expr, &input));
//!
//! let err = rules::parse("scorre < 30").unwrap_err();
//! assert_eq!(err.message, r#"Unknown field "scorre" in rule expression."#);
//! assert_eq!((err.position.line, err.position.column), (1, 1));
//!
//! let set = [Rule::compile("block login bots", "score < 30 AND path == \"/login\"", Action::Block, true).unwrap()];
//! assert_eq!(rules::resolve(&set, &input).decided, Some(("block login bots", Action::Block)));
//! ```
//!
//! Storage keeps `expression_source` verbatim; the AST is rebuilt from it (or from its
//! canonical form, `expr.to_string()`) when rules are loaded: parsing is deterministic.
pub mod ast;
mod check;
pub mod error;
pub mod eval;
mod lexer;
mod parser;
pub mod print;
pub mod resolve;

#[cfg(test)]
mod tests;

pub use ast::{Cond, Expr, Field, FieldType};
pub use error::{ErrorKind, Position, RuleError};
pub use eval::{RuleInput, eval};
pub use parser::parse;
pub use resolve::{Rule, RulesOutcome, parse_action, resolve, terminates};

/// Longest accepted expression source, in bytes.
pub const MAX_SOURCE_BYTES: usize = 4096;
/// Deepest nesting of parentheses and `NOT`.
pub const MAX_DEPTH: usize = 32;
/// Most values in one `[list]`.
pub const MAX_LIST_ITEMS: usize = 256;
