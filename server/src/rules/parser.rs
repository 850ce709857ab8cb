//! Recursive-descent parser of contract §5's grammar:
//!
//! ```text
//! expr      := orExpr
//! orExpr    := andExpr ( "OR" andExpr )*
//! andExpr   := unary ( "AND" unary )*
//! unary     := "NOT" unary | "(" expr ")" | predicate
//! predicate := comparison | boolField
//! comparison:= field op value
//! ```
//!
//! Parsing and type checking are one pass: every predicate is checked against its field's
//! type (see [`super::check`]) as soon as it is read, so errors point at the exact token.
use super::{
    MAX_DEPTH, MAX_LIST_ITEMS, MAX_SOURCE_BYTES,
    ast::{Expr, Field},
    check::{self, Lit, Op},
    error::{ErrorKind, RuleError},
    lexer::{Tok, Token, lex},
};

/// Parses and type-checks `src` into an expression.
pub fn parse(src: &str) -> Result<Expr, RuleError> {
    if src.len() > MAX_SOURCE_BYTES {
        return Err(RuleError::new(
            ErrorKind::TooLong,
            src,
            MAX_SOURCE_BYTES,
            format!(
                "Rule expression is too long: {} bytes; at most {MAX_SOURCE_BYTES} are allowed.",
                src.len()
            ),
        ));
    }
    let toks = lex(src)?;
    if toks.is_empty() {
        return Err(RuleError::new(
            ErrorKind::Empty,
            src,
            0,
            "Empty rule expression: write at least one condition, e.g. score < 30.".into(),
        ));
    }
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        depth: 0,
        open: Vec::new(),
    };
    let expr = p.or_expr()?;
    if let Some(t) = p.peek() {
        let at = t.start;
        return Err(if t.tok == Tok::RParen {
            p.err(
                ErrorKind::Unbalanced,
                at,
                "Unbalanced parentheses: \")\" has no matching \"(\".".into(),
            )
        } else {
            p.err(
                ErrorKind::UnexpectedToken,
                at,
                format!(
                    "Unexpected {} after a complete condition; expected AND, OR or the end of the expression.",
                    t.tok.describe()
                ),
            )
        });
    }
    Ok(expr)
}

struct Parser<'s> {
    src: &'s str,
    toks: Vec<Token<'s>>,
    pos: usize,
    /// Current nesting of `(` and `NOT`.
    depth: usize,
    /// Byte offsets of the open `(`s.
    open: Vec<usize>,
}

impl<'s> Parser<'s> {
    fn peek(&self) -> Option<&Token<'s>> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Token<'s>> {
        let t = self.toks.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn end(&self) -> usize {
        self.src.len()
    }

    fn err(&self, kind: ErrorKind, at: usize, msg: String) -> RuleError {
        RuleError::new(kind, self.src, at, msg)
    }

    /// What follows, for messages: the token, or the end of the expression.
    fn found(&self) -> (usize, String) {
        match self.peek() {
            Some(t) => (t.start, t.tok.describe()),
            None => (self.end(), "the end of the expression".into()),
        }
    }

    fn or_expr(&mut self) -> Result<Expr, RuleError> {
        let first = self.and_expr()?;
        if !matches!(self.peek(), Some(Token { tok: Tok::Or, .. })) {
            return Ok(first);
        }
        let mut items = vec![first];
        while matches!(self.peek(), Some(Token { tok: Tok::Or, .. })) {
            self.pos += 1;
            items.push(self.and_expr()?);
        }
        Ok(Expr::Or(items))
    }

    fn and_expr(&mut self) -> Result<Expr, RuleError> {
        let first = self.unary()?;
        if !matches!(self.peek(), Some(Token { tok: Tok::And, .. })) {
            return Ok(first);
        }
        let mut items = vec![first];
        while matches!(self.peek(), Some(Token { tok: Tok::And, .. })) {
            self.pos += 1;
            items.push(self.unary()?);
        }
        Ok(Expr::And(items))
    }

    fn enter(&mut self, at: usize) -> Result<(), RuleError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(
                ErrorKind::TooDeep,
                at,
                format!(
                    "Rule expression is nested too deeply: at most {MAX_DEPTH} levels of parentheses and NOT are allowed."
                ),
            ));
        }
        Ok(())
    }

    /// The previous token, for "after …" in messages.
    fn after(&self) -> String {
        match self.pos.checked_sub(1).and_then(|i| self.toks.get(i)) {
            Some(t) => format!(" after {}", t.tok.describe()),
            None => String::new(),
        }
    }

    fn unary(&mut self) -> Result<Expr, RuleError> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.err(
                ErrorKind::UnexpectedToken,
                self.end(),
                format!(
                    "Expected a condition{}, found the end of the expression.",
                    self.after()
                ),
            ));
        };
        match t.tok {
            Tok::Not => {
                self.enter(t.start)?;
                self.pos += 1;
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(Expr::Not(Box::new(inner)))
            }
            Tok::LParen => {
                self.enter(t.start)?;
                self.pos += 1;
                if matches!(self.peek(), Some(Token { tok: Tok::RParen, .. })) {
                    return Err(self.err(
                        ErrorKind::UnexpectedToken,
                        t.start,
                        "Empty parentheses in rule expression: \"()\" must contain a condition."
                            .into(),
                    ));
                }
                self.open.push(t.start);
                let inner = self.or_expr()?;
                match self.next() {
                    Some(Token {
                        tok: Tok::RParen, ..
                    }) => {}
                    Some(other) => {
                        return Err(self.err(
                            ErrorKind::UnexpectedToken,
                            other.start,
                            format!(
                                "Unexpected {}; expected AND, OR or \")\".",
                                other.tok.describe()
                            ),
                        ));
                    }
                    None => {
                        let p = super::error::Position::at(self.src, t.start);
                        return Err(self.err(
                            ErrorKind::Unbalanced,
                            t.start,
                            format!(
                                "Unbalanced parentheses: the \"(\" at {p} is never closed."
                            ),
                        ));
                    }
                }
                self.open.pop();
                self.depth -= 1;
                Ok(inner)
            }
            Tok::Ident(name) => {
                self.pos += 1;
                self.predicate(name, t.start)
            }
            Tok::RParen if self.open.is_empty() => Err(self.err(
                ErrorKind::Unbalanced,
                t.start,
                "Unbalanced parentheses: \")\" has no matching \"(\".".into(),
            )),
            other => Err(self.err(
                ErrorKind::UnexpectedToken,
                t.start,
                format!(
                    "Expected a condition{}, found {}; a condition starts with a field such as score, or with NOT or \"(\".",
                    self.after(),
                    other.describe()
                ),
            )),
        }
    }

    fn predicate(&mut self, name: &'s str, at: usize) -> Result<Expr, RuleError> {
        let Some(field) = Field::from_name(name) else {
            let e = self.err(
                ErrorKind::UnknownField,
                at,
                format!("Unknown field \"{name}\" in rule expression."),
            );
            return Err(match check::suggest(name) {
                Some(s) => e.with_hint(format!("Did you mean \"{s}\"?")),
                None => e,
            });
        };
        let op = match self.peek().map(|t| (&t.tok, t.start)) {
            Some((Tok::Eq, _)) => Op::Eq,
            Some((Tok::Ne, _)) => Op::Ne,
            Some((Tok::Lt, _)) => Op::Lt,
            Some((Tok::Le, _)) => Op::Le,
            Some((Tok::Gt, _)) => Op::Gt,
            Some((Tok::Ge, _)) => Op::Ge,
            Some((Tok::In, _)) => Op::In,
            Some((Tok::NotIn, _)) => Op::NotIn,
            Some((Tok::Not, not_at)) => {
                return Err(self.err(
                    ErrorKind::UnexpectedToken,
                    not_at,
                    format!(
                        "Unexpected NOT after field \"{name}\": write \"not in\" in lower case, or put NOT before the whole condition."
                    ),
                ));
            }
            _ => {
                if let Some(b) = field.boolean() {
                    return Ok(Expr::Cond(check::bare(b)));
                }
                let (found_at, found) = self.found();
                return Err(self.err(
                    ErrorKind::TypeMismatch,
                    found_at,
                    format!(
                        "Field \"{name}\" is {} and must be compared with a value ({}), found {found}; only verified_bot, js_detection.passed and static_resource stand alone.",
                        field.ty().describe(),
                        field.ty().operators()
                    ),
                ));
            }
        };
        let op_at = self.next().map_or(self.end(), |t| t.start);
        check::operator(self.src, field, op, op_at)?;
        let (lit, lit_at) = self.value(op)?;
        check::comparison(self.src, field, op, op_at, lit, lit_at).map(Expr::Cond)
    }

    /// A value after operator `op`.
    fn value(&mut self, op: Op) -> Result<(Lit<'s>, usize), RuleError> {
        let (at, found) = self.found();
        let Some(t) = self.next() else {
            return Err(self.err(
                ErrorKind::UnexpectedToken,
                at,
                format!("Expected a value after \"{}\", found {found}.", op.as_str()),
            ));
        };
        let lit = match t.tok {
            Tok::LBracket => return self.list(t.start).map(|l| (l, t.start)),
            other => self.scalar(other, t.start, op)?,
        };
        Ok((lit, t.start))
    }

    fn scalar(&self, tok: Tok<'s>, at: usize, op: Op) -> Result<Lit<'s>, RuleError> {
        Ok(match tok {
            Tok::Num(v, text) => Lit::Num(v, text),
            Tok::Str(s) => Lit::Str(s),
            Tok::True => Lit::Bool(true),
            Tok::False => Lit::Bool(false),
            Tok::Null => Lit::Null,
            Tok::Ident(word) => {
                let msg = if Field::from_name(word).is_some() {
                    format!(
                        "Expected a value after \"{}\", found field \"{word}\"; a condition compares a field with a literal value.",
                        op.as_str()
                    )
                } else {
                    format!(
                        "Expected a value after \"{}\", found \"{word}\"; strings are quoted: \"{word}\".",
                        op.as_str()
                    )
                };
                return Err(self.err(ErrorKind::UnexpectedToken, at, msg));
            }
            Tok::RParen if self.open.is_empty() => {
                return Err(self.err(
                    ErrorKind::Unbalanced,
                    at,
                    "Unbalanced parentheses: \")\" has no matching \"(\".".into(),
                ));
            }
            Tok::RBracket => {
                return Err(self.err(
                    ErrorKind::Unbalanced,
                    at,
                    "Unbalanced brackets: \"]\" has no matching \"[\".".into(),
                ));
            }
            other => {
                return Err(self.err(
                    ErrorKind::UnexpectedToken,
                    at,
                    format!(
                        "Expected a value after \"{}\", found {}.",
                        op.as_str(),
                        other.describe()
                    ),
                ));
            }
        })
    }

    /// A list after its `[` at byte `open`.
    fn list(&mut self, open: usize) -> Result<Lit<'s>, RuleError> {
        let mut items = Vec::new();
        if matches!(
            self.peek(),
            Some(Token {
                tok: Tok::RBracket,
                ..
            })
        ) {
            return Err(self.err(
                ErrorKind::InvalidLiteral,
                open,
                "Empty list in rule expression: a list needs at least one value.".into(),
            ));
        }
        loop {
            let Some(t) = self.next() else {
                let p = super::error::Position::at(self.src, open);
                return Err(self.err(
                    ErrorKind::Unbalanced,
                    open,
                    format!("Unbalanced brackets: the \"[\" at {p} is never closed."),
                ));
            };
            if items.len() == MAX_LIST_ITEMS {
                return Err(self.err(
                    ErrorKind::ListTooLong,
                    t.start,
                    format!("List is too long: at most {MAX_LIST_ITEMS} values are allowed."),
                ));
            }
            let item = match t.tok {
                Tok::LBracket => {
                    return Err(self.err(
                        ErrorKind::InvalidLiteral,
                        t.start,
                        "Lists cannot be nested in rule expressions.".into(),
                    ));
                }
                Tok::Comma | Tok::RBracket => {
                    return Err(self.err(
                        ErrorKind::UnexpectedToken,
                        t.start,
                        format!("Expected a value in the list, found {}.", t.tok.describe()),
                    ));
                }
                other => self.list_item(other, t.start)?,
            };
            items.push((item, t.start));
            match self.next() {
                Some(Token {
                    tok: Tok::Comma, ..
                }) => {
                    if matches!(
                        self.peek(),
                        Some(Token {
                            tok: Tok::RBracket,
                            ..
                        })
                    ) {
                        let at = self.peek().map_or(self.end(), |t| t.start);
                        return Err(self.err(
                            ErrorKind::UnexpectedToken,
                            at,
                            "Expected a value after \",\" in the list, found \"]\"; remove the trailing comma.".into(),
                        ));
                    }
                }
                Some(Token {
                    tok: Tok::RBracket, ..
                }) => return Ok(Lit::List(items)),
                Some(other) => {
                    return Err(self.err(
                        ErrorKind::UnexpectedToken,
                        other.start,
                        format!(
                            "Expected \",\" or \"]\" in the list, found {}.",
                            other.tok.describe()
                        ),
                    ));
                }
                None => {
                    let p = super::error::Position::at(self.src, open);
                    return Err(self.err(
                        ErrorKind::Unbalanced,
                        open,
                        format!("Unbalanced brackets: the \"[\" at {p} is never closed."),
                    ));
                }
            }
        }
    }

    fn list_item(&self, tok: Tok<'s>, at: usize) -> Result<Lit<'s>, RuleError> {
        Ok(match tok {
            Tok::Num(v, text) => Lit::Num(v, text),
            Tok::Str(s) => Lit::Str(s),
            Tok::True => Lit::Bool(true),
            Tok::False => Lit::Bool(false),
            Tok::Null => Lit::Null,
            Tok::Ident(word) => {
                return Err(self.err(
                    ErrorKind::UnexpectedToken,
                    at,
                    format!(
                        "Expected a value in the list, found \"{word}\"; strings are quoted: \"{word}\"."
                    ),
                ));
            }
            other => {
                return Err(self.err(
                    ErrorKind::UnexpectedToken,
                    at,
                    format!("Expected a value in the list, found {}.", other.describe()),
                ));
            }
        })
    }
}
