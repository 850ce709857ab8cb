//! Tokens of rule expressions.
use super::error::{ErrorKind, RuleError};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok<'s> {
    /// A word that is not a keyword: a field name, or a mistake the parser names.
    Ident(&'s str),
    And,
    Or,
    Not,
    In,
    /// `not in` (two words, one token).
    NotIn,
    True,
    False,
    Null,
    /// A number literal and its source text.
    Num(f64, &'s str),
    /// A string literal, unescaped.
    Str(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Tok<'_> {
    /// How messages name the token.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("\"{s}\""),
            Tok::And => "AND".into(),
            Tok::Or => "OR".into(),
            Tok::Not => "NOT".into(),
            Tok::In => "\"in\"".into(),
            Tok::NotIn => "\"not in\"".into(),
            Tok::True => "true".into(),
            Tok::False => "false".into(),
            Tok::Null => "null".into(),
            Tok::Num(_, s) => format!("number {s}"),
            Tok::Str(s) => format!("string {}", super::print::quote(s)),
            Tok::LParen => "\"(\"".into(),
            Tok::RParen => "\")\"".into(),
            Tok::LBracket => "\"[\"".into(),
            Tok::RBracket => "\"]\"".into(),
            Tok::Comma => "\",\"".into(),
            Tok::Eq => "\"==\"".into(),
            Tok::Ne => "\"!=\"".into(),
            Tok::Lt => "\"<\"".into(),
            Tok::Le => "\"<=\"".into(),
            Tok::Gt => "\">\"".into(),
            Tok::Ge => "\">=\"".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token<'s> {
    pub tok: Tok<'s>,
    /// Byte offset of the first character.
    pub start: usize,
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'.'
}

/// Splits `src` into tokens. Errors name the first bad character or literal.
pub(crate) fn lex(src: &str) -> Result<Vec<Token<'_>>, RuleError> {
    let bytes = src.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    let err = |kind, at: usize, msg: String| RuleError::new(kind, src, at, msg);
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let tok = match b {
            b'(' => {
                i += 1;
                Tok::LParen
            }
            b')' => {
                i += 1;
                Tok::RParen
            }
            b'[' => {
                i += 1;
                Tok::LBracket
            }
            b']' => {
                i += 1;
                Tok::RBracket
            }
            b',' => {
                i += 1;
                Tok::Comma
            }
            b'=' => {
                if bytes.get(i + 1) == Some(&b'=') {
                    i += 2;
                    Tok::Eq
                } else {
                    let hint = match bytes.get(i + 1) {
                        Some(b'>') => ">=",
                        Some(b'<') => "<=",
                        _ => "==",
                    };
                    return Err(err(
                        ErrorKind::InvalidCharacter,
                        start,
                        format!("Unknown operator \"=\" in rule expression; use \"{hint}\"."),
                    ));
                }
            }
            b'!' => {
                if bytes.get(i + 1) == Some(&b'=') {
                    i += 2;
                    Tok::Ne
                } else {
                    return Err(err(
                        ErrorKind::InvalidCharacter,
                        start,
                        "Unexpected character \"!\" in rule expression; use NOT to negate a condition, or \"!=\"."
                            .into(),
                    ));
                }
            }
            b'<' => match bytes.get(i + 1) {
                Some(b'=') => {
                    i += 2;
                    Tok::Le
                }
                Some(b'>') => {
                    return Err(err(
                        ErrorKind::InvalidCharacter,
                        start,
                        "Unknown operator \"<>\" in rule expression; use \"!=\".".into(),
                    ));
                }
                _ => {
                    i += 1;
                    Tok::Lt
                }
            },
            b'>' => {
                if bytes.get(i + 1) == Some(&b'=') {
                    i += 2;
                    Tok::Ge
                } else {
                    i += 1;
                    Tok::Gt
                }
            }
            b'&' | b'|' => {
                let (op, kw) = if b == b'&' { ("&", "AND") } else { ("|", "OR") };
                let op = if bytes.get(i + 1) == Some(&b) {
                    format!("{op}{op}")
                } else {
                    op.to_string()
                };
                return Err(err(
                    ErrorKind::InvalidCharacter,
                    start,
                    format!("Unknown operator \"{op}\" in rule expression; use {kw}."),
                ));
            }
            b'\'' => {
                return Err(err(
                    ErrorKind::InvalidCharacter,
                    start,
                    "Unexpected character \"'\" in rule expression; strings use double quotes (\"…\")."
                        .into(),
                ));
            }
            b'"' => {
                let (s, end) = lex_string(src, i)?;
                i = end;
                Tok::Str(s)
            }
            b'-' | b'0'..=b'9' => {
                let digits_from = if b == b'-' { i + 1 } else { i };
                if !bytes.get(digits_from).is_some_and(u8::is_ascii_digit) {
                    return Err(err(
                        ErrorKind::InvalidCharacter,
                        start,
                        "Unexpected character \"-\" in rule expression; a negative number is written without a space, e.g. -1.5."
                            .into(),
                    ));
                }
                let mut end = digits_from;
                while end < bytes.len() && (is_word_char(bytes[end]) || bytes[end] == b':') {
                    end += 1;
                }
                let text = &src[start..end];
                i = end;
                Tok::Num(number(src, start, text)?, text)
            }
            _ if is_word_start(b) => {
                let mut end = i;
                while end < bytes.len() && is_word_char(bytes[end]) {
                    end += 1;
                }
                let word = &src[start..end];
                i = end;
                match word {
                    "AND" => Tok::And,
                    "OR" => Tok::Or,
                    "NOT" => Tok::Not,
                    "in" => Tok::In,
                    "true" => Tok::True,
                    "false" => Tok::False,
                    "null" => Tok::Null,
                    "not" => {
                        let mut j = end;
                        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                            j += 1;
                        }
                        let mut k = j;
                        while k < bytes.len() && is_word_char(bytes[k]) {
                            k += 1;
                        }
                        if j > end && &src[j..k] == "in" {
                            i = k;
                            Tok::NotIn
                        } else {
                            return Err(err(
                                ErrorKind::KeywordCase,
                                start,
                                "Keyword \"not\" must be upper case: NOT (only \"in\" and \"not in\" are lower case)."
                                    .into(),
                            ));
                        }
                    }
                    _ => {
                        if let Some(msg) = keyword_case(word) {
                            return Err(err(ErrorKind::KeywordCase, start, msg));
                        }
                        Tok::Ident(word)
                    }
                }
            }
            _ => {
                let c = src[i..].chars().next().unwrap_or('\u{fffd}');
                let shown = if c.is_control() || c.is_whitespace() {
                    format!("U+{:04X}", c as u32)
                } else {
                    format!("\"{c}\"")
                };
                return Err(err(
                    ErrorKind::InvalidCharacter,
                    start,
                    format!("Unexpected character {shown} in rule expression."),
                ));
            }
        };
        toks.push(Token { tok, start });
    }
    Ok(toks)
}

/// The message for a keyword or literal written in the wrong case, if `word` is one.
fn keyword_case(word: &str) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    match lower.as_str() {
        "and" | "or" | "not" => Some(format!(
            "Keyword \"{word}\" must be upper case: {}.",
            lower.to_ascii_uppercase()
        )),
        "in" => Some(format!(
            "Operator \"{word}\" must be lower case: \"in\" (and \"not in\")."
        )),
        "true" | "false" | "null" => {
            Some(format!("Literal \"{word}\" must be lower case: {lower}."))
        }
        _ => None,
    }
}

/// Validates a number literal: `-?[0-9]+(\.[0-9]+)?`, finite.
fn number(src: &str, start: usize, text: &str) -> Result<f64, RuleError> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match digits.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (digits, None),
    };
    let well_formed = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    let bad = |msg: String| RuleError::new(ErrorKind::InvalidLiteral, src, start, msg);
    if !well_formed {
        let mut e = bad(format!("Invalid number \"{text}\" in rule expression."));
        if text.parse::<std::net::IpAddr>().is_ok() || text.contains('/') || text.contains(':') {
            e = e.with_hint(format!(
                "IP addresses and CIDRs are strings: write \"{text}\"."
            ));
        } else if digits.starts_with("0x") || digits.starts_with("0X") {
            e = e.with_hint("Write numbers in decimal.".into());
        } else if digits.contains(['e', 'E']) {
            e = e.with_hint("Exponents are not supported; write the number in full.".into());
        }
        return Err(e);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(bad(format!(
            "Number \"{}\" is out of range in rule expression.",
            if text.len() > 24 { &text[..24] } else { text }
        ))),
    }
}

/// A string literal starting at the `"` at byte `open`; returns it unescaped and the byte
/// after its closing quote.
fn lex_string(src: &str, open: usize) -> Result<(String, usize), RuleError> {
    let mut out = String::new();
    let mut chars = src[open + 1..].char_indices();
    let unterminated = || {
        RuleError::new(
            ErrorKind::InvalidLiteral,
            src,
            open,
            "Unterminated string literal in rule expression: the closing \" is missing.".into(),
        )
    };
    while let Some((off, c)) = chars.next() {
        let at = open + 1 + off;
        match c {
            '"' => return Ok((out, at + 1)),
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '\\'))) => out.push(e),
                Some((_, e)) if e != '\n' => {
                    return Err(RuleError::new(
                        ErrorKind::InvalidLiteral,
                        src,
                        at,
                        format!(
                            "Invalid escape \"\\{e}\" in string literal; only \\\" and \\\\ are allowed."
                        ),
                    ));
                }
                _ => return Err(unterminated()),
            },
            '\n' | '\r' => return Err(unterminated()),
            c if c.is_control() => {
                return Err(RuleError::new(
                    ErrorKind::InvalidLiteral,
                    src,
                    at,
                    format!(
                        "Control character U+{:04X} in string literal; it cannot appear in rule expressions.",
                        c as u32
                    ),
                ));
            }
            c => out.push(c),
        }
    }
    Err(unterminated())
}
