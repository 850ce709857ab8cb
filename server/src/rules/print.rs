//! AST → canonical source. `parse(&expr.to_string()) == Ok(expr)` for every valid AST
//! (property-tested): single spaces around operators and keywords, parentheses only where
//! the grammar needs them, normalised literals, bare boolean fields for `== true`.
use std::fmt::{self, Display, Formatter, Write};

use super::ast::{Cond, Expr, MatchOp};

/// A string literal with `"` and `\` escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn list<T>(
    f: &mut Formatter<'_>,
    op: MatchOp,
    items: impl IntoIterator<Item = T>,
    mut item: impl FnMut(&mut Formatter<'_>, T) -> fmt::Result,
) -> fmt::Result {
    f.write_str(op.as_str())?;
    f.write_char(' ')?;
    if !op.list() {
        // `==` / `!=`: exactly one value.
        return match items.into_iter().next() {
            Some(i) => item(f, i),
            None => Ok(()),
        };
    }
    f.write_char('[')?;
    for (n, i) in items.into_iter().enumerate() {
        if n > 0 {
            f.write_str(", ")?;
        }
        item(f, i)?;
    }
    f.write_char(']')
}

impl Display for Cond {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Cond::Num { field, op, value } => {
                write!(f, "{} {} {value}", field.field().name(), op.as_str())
            }
            Cond::Bool {
                field,
                negated,
                value,
            } => {
                let name = field.field().name();
                match (negated, value) {
                    (false, true) => f.write_str(name),
                    (false, false) => write!(f, "{name} == false"),
                    (true, v) => write!(f, "{name} != {v}"),
                }
            }
            Cond::Null { field, negated } => {
                write!(
                    f,
                    "{} {} null",
                    field.name(),
                    if *negated { "!=" } else { "==" }
                )
            }
            Cond::Band { op, set } => {
                f.write_str("band ")?;
                list(f, *op, set.iter(), |f, b| write!(f, "\"{}\"", b.as_str()))
            }
            Cond::Text { field, op, values } => {
                write!(f, "{} ", field.field().name())?;
                list(f, *op, values.iter(), |f, v| f.write_str(&quote(v)))
            }
            Cond::Ids { negated, ids } => {
                f.write_str("detection_ids ")?;
                let op = if *negated {
                    MatchOp::NotIn
                } else {
                    MatchOp::In
                };
                list(f, op, ids.iter(), |f, id| write!(f, "{id}"))
            }
            Cond::Ip { op, nets } => {
                f.write_str("ip ")?;
                list(f, *op, nets.iter(), |f, n| write!(f, "\"{n}\""))
            }
        }
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Cond(c) => c.fmt(f),
            Expr::Not(inner) => {
                f.write_str("NOT ")?;
                match **inner {
                    Expr::And(_) | Expr::Or(_) => write!(f, "({inner})"),
                    _ => inner.fmt(f),
                }
            }
            Expr::And(items) => {
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" AND ")?;
                    }
                    match e {
                        Expr::And(_) | Expr::Or(_) => write!(f, "({e})")?,
                        _ => e.fmt(f)?,
                    }
                }
                Ok(())
            }
            Expr::Or(items) => {
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" OR ")?;
                    }
                    match e {
                        Expr::Or(_) => write!(f, "({e})")?,
                        _ => e.fmt(f)?,
                    }
                }
                Ok(())
            }
        }
    }
}
