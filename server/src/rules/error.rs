//! Save-time errors of rule expressions.
use std::fmt;

/// The class of a rejected expression (stable; `as_str` is its snake_case name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Nothing but white space.
    Empty,
    /// Source longer than [`super::MAX_SOURCE_BYTES`].
    TooLong,
    /// More than [`super::MAX_DEPTH`] nested parentheses / `NOT`s.
    TooDeep,
    /// A list of more than [`super::MAX_LIST_ITEMS`] values.
    ListTooLong,
    /// A character that starts no token (`$`, `'`, `&`, …).
    InvalidCharacter,
    /// A malformed or out-of-range literal: number, string, escape, band name, address,
    /// CIDR, detection ID, empty list or string.
    InvalidLiteral,
    /// A keyword or literal in the wrong case (`and`, `IN`, `True`).
    KeywordCase,
    /// A field that is not in the grammar.
    UnknownField,
    /// An operator the field's type does not take, or a value of the wrong type.
    TypeMismatch,
    /// A `(` or `[` never closed, or a `)` without its `(`.
    Unbalanced,
    /// A token where the grammar allows none of its kind: a stray token after a complete
    /// condition, a missing condition, operator or value.
    UnexpectedToken,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Empty => "empty",
            ErrorKind::TooLong => "too_long",
            ErrorKind::TooDeep => "too_deep",
            ErrorKind::ListTooLong => "list_too_long",
            ErrorKind::InvalidCharacter => "invalid_character",
            ErrorKind::InvalidLiteral => "invalid_literal",
            ErrorKind::KeywordCase => "keyword_case",
            ErrorKind::UnknownField => "unknown_field",
            ErrorKind::TypeMismatch => "type_mismatch",
            ErrorKind::Unbalanced => "unbalanced",
            ErrorKind::UnexpectedToken => "unexpected_token",
        }
    }

    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::Empty,
        ErrorKind::TooLong,
        ErrorKind::TooDeep,
        ErrorKind::ListTooLong,
        ErrorKind::InvalidCharacter,
        ErrorKind::InvalidLiteral,
        ErrorKind::KeywordCase,
        ErrorKind::UnknownField,
        ErrorKind::TypeMismatch,
        ErrorKind::Unbalanced,
        ErrorKind::UnexpectedToken,
    ];

    pub fn from_name(s: &str) -> Option<ErrorKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where in the source the problem is: the start of the offending token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Position {
    /// Byte offset from the start of the source.
    pub offset: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters (Unicode scalar values).
    pub column: u32,
}

impl Position {
    /// The position of byte `offset` of `src` (clamped to the source and to a character
    /// boundary).
    pub fn at(src: &str, offset: usize) -> Position {
        let mut offset = offset.min(src.len());
        while !src.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &src[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position {
            offset,
            line: before.matches('\n').count() as u32 + 1,
            column: before[line_start..].chars().count() as u32 + 1,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// A rejected rule expression. `message` names the problem (for an unknown field exactly
/// the contract's `Unknown field "scorre" in rule expression.`); the position is kept apart
/// in `position`, and `Display` appends it: `… At line 1, column 1.`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub kind: ErrorKind,
    pub message: String,
    pub position: Position,
    /// An optional suggestion (`Did you mean "score"?`), never part of `message`.
    pub hint: Option<String>,
}

impl RuleError {
    pub(crate) fn new(kind: ErrorKind, src: &str, offset: usize, message: String) -> RuleError {
        RuleError {
            kind,
            message,
            position: Position::at(src, offset),
            hint: None,
        }
    }

    pub(crate) fn with_hint(mut self, hint: String) -> RuleError {
        self.hint = Some(hint);
        self
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} At {}.", self.message, self.position)?;
        if let Some(h) = &self.hint {
            write!(f, " {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleError {}
