//! The compiled, type-checked form of a rule expression.
//!
//! Every literal is already validated and normalised (CIDRs parsed into masks, countries
//! upper-cased, verified-bot categories folded, detection IDs sorted), so evaluation never
//! allocates or parses. Source positions are not kept: two expressions that mean the same
//! thing in the same shape compile to equal ASTs, which is what the print/parse round trip
//! relies on.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::domain::Band;

/// A boolean expression over the rule fields.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Two or more alternatives (`a OR b OR c`).
    Or(Vec<Expr>),
    /// Two or more conjuncts (`a AND b AND c`).
    And(Vec<Expr>),
    /// `NOT x`.
    Not(Box<Expr>),
    /// One predicate.
    Cond(Cond),
}

/// One predicate: a field compared with a literal, or a bare boolean field.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// `score < 30`, `behavioral.mouse_entropy >= 0.2`.
    Num {
        field: NumField,
        op: CmpOp,
        value: f64,
    },
    /// `verified_bot` (`negated: false, value: true`), `js_detection.passed == false`,
    /// `static_resource != true`.
    Bool {
        field: BoolField,
        negated: bool,
        value: bool,
    },
    /// `field == null` / `field != null` (`negated`); only for fields that can be absent.
    Null { field: Field, negated: bool },
    /// `band == "definite"`, `band in ["definite", "likely_automated"]`.
    Band { op: MatchOp, set: BandSet },
    /// `path == "/login"`, `country in ["US", "CA"]`, … Values are normalised for the field
    /// (see [`TextField`]).
    Text {
        field: TextField,
        op: MatchOp,
        values: Box<[Box<str>]>,
    },
    /// `detection_ids in [50331648]` (`negated`: `not in`). Sorted, without duplicates.
    Ids { negated: bool, ids: Box<[u32]> },
    /// `ip == "203.0.113.7"`, `ip in ["10.0.0.0/8", "2001:db8::/32"]`.
    Ip { op: MatchOp, nets: Box<[IpNet]> },
}

/// Every field of the grammar (contract §5), no others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Score,
    Band,
    VerifiedBot,
    VerifiedBotCategory,
    JsPassed,
    StaticResource,
    /// The customer's backend asserted a signed-in user (`POST /v1/sessions/{token}/logged-in`).
    LoggedIn,
    DetectionIds,
    Path,
    Ip,
    Country,
    Ua,
    /// The session's latest JA4 TLS fingerprint.
    Ja4,
    MouseEntropy,
    ScrollVelocity,
    VisibilityChanges,
    FirstInputDelayMs,
}

/// The type of a field, which decides its operators and literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Number,
    Boolean,
    String,
    /// `band`: a string restricted to the five band names.
    Band,
    /// `detection_ids`: a set of integers.
    IdSet,
    /// `ip`: an address, matched against addresses and CIDRs.
    Ip,
}

impl FieldType {
    /// How error messages name the type.
    pub fn describe(self) -> &'static str {
        match self {
            FieldType::Number => "a number",
            FieldType::Boolean => "a boolean",
            FieldType::String | FieldType::Band => "a string",
            FieldType::IdSet => "a set of detection IDs",
            FieldType::Ip => "an IP address",
        }
    }

    /// The operators the type takes, as error messages list them.
    pub fn operators(self) -> &'static str {
        match self {
            FieldType::Number => "==, !=, <, <=, >, >=",
            FieldType::Boolean => "== or != (or the bare field)",
            FieldType::String | FieldType::Band | FieldType::Ip => "==, !=, in, not in",
            FieldType::IdSet => "in or not in",
        }
    }
}

impl Field {
    pub const ALL: [Field; 17] = [
        Field::Score,
        Field::Band,
        Field::VerifiedBot,
        Field::VerifiedBotCategory,
        Field::JsPassed,
        Field::StaticResource,
        Field::LoggedIn,
        Field::DetectionIds,
        Field::Path,
        Field::Ip,
        Field::Country,
        Field::Ua,
        Field::Ja4,
        Field::MouseEntropy,
        Field::ScrollVelocity,
        Field::VisibilityChanges,
        Field::FirstInputDelayMs,
    ];

    /// The field's name in rule expressions.
    pub fn name(self) -> &'static str {
        match self {
            Field::Score => "score",
            Field::Band => "band",
            Field::VerifiedBot => "verified_bot",
            Field::VerifiedBotCategory => "verified_bot_category",
            Field::JsPassed => "js_detection.passed",
            Field::StaticResource => "static_resource",
            Field::LoggedIn => "logged_in",
            Field::DetectionIds => "detection_ids",
            Field::Path => "path",
            Field::Ip => "ip",
            Field::Country => "country",
            Field::Ua => "ua",
            Field::Ja4 => "ja4",
            Field::MouseEntropy => "behavioral.mouse_entropy",
            Field::ScrollVelocity => "behavioral.scroll_velocity",
            Field::VisibilityChanges => "behavioral.visibility_changes",
            Field::FirstInputDelayMs => "behavioral.first_input_delay_ms",
        }
    }

    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn ty(self) -> FieldType {
        match self {
            Field::Score
            | Field::MouseEntropy
            | Field::ScrollVelocity
            | Field::VisibilityChanges
            | Field::FirstInputDelayMs => FieldType::Number,
            Field::VerifiedBot | Field::JsPassed | Field::StaticResource | Field::LoggedIn => {
                FieldType::Boolean
            }
            Field::VerifiedBotCategory | Field::Path | Field::Country | Field::Ua | Field::Ja4 => {
                FieldType::String
            }
            Field::Band => FieldType::Band,
            Field::DetectionIds => FieldType::IdSet,
            Field::Ip => FieldType::Ip,
        }
    }

    /// Whether the field can be absent (and so be compared with `null`).
    pub fn nullable(self) -> bool {
        !matches!(
            self,
            Field::Score
                | Field::Band
                | Field::VerifiedBot
                | Field::StaticResource
                | Field::LoggedIn
                | Field::DetectionIds
        )
    }

    pub(crate) fn num(self) -> Option<NumField> {
        Some(match self {
            Field::Score => NumField::Score,
            Field::MouseEntropy => NumField::MouseEntropy,
            Field::ScrollVelocity => NumField::ScrollVelocity,
            Field::VisibilityChanges => NumField::VisibilityChanges,
            Field::FirstInputDelayMs => NumField::FirstInputDelayMs,
            _ => return None,
        })
    }

    pub(crate) fn boolean(self) -> Option<BoolField> {
        Some(match self {
            Field::VerifiedBot => BoolField::VerifiedBot,
            Field::JsPassed => BoolField::JsPassed,
            Field::StaticResource => BoolField::StaticResource,
            Field::LoggedIn => BoolField::LoggedIn,
            _ => return None,
        })
    }

    pub(crate) fn text(self) -> Option<TextField> {
        Some(match self {
            Field::VerifiedBotCategory => TextField::VerifiedBotCategory,
            Field::Path => TextField::Path,
            Field::Country => TextField::Country,
            Field::Ua => TextField::Ua,
            Field::Ja4 => TextField::Ja4,
            _ => return None,
        })
    }
}

/// The number fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumField {
    Score,
    MouseEntropy,
    ScrollVelocity,
    VisibilityChanges,
    FirstInputDelayMs,
}

impl NumField {
    pub fn field(self) -> Field {
        match self {
            NumField::Score => Field::Score,
            NumField::MouseEntropy => Field::MouseEntropy,
            NumField::ScrollVelocity => Field::ScrollVelocity,
            NumField::VisibilityChanges => Field::VisibilityChanges,
            NumField::FirstInputDelayMs => Field::FirstInputDelayMs,
        }
    }
}

/// The boolean fields (the only ones that may stand bare).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoolField {
    VerifiedBot,
    JsPassed,
    StaticResource,
    LoggedIn,
}

impl BoolField {
    pub fn field(self) -> Field {
        match self {
            BoolField::VerifiedBot => Field::VerifiedBot,
            BoolField::JsPassed => Field::JsPassed,
            BoolField::StaticResource => Field::StaticResource,
            BoolField::LoggedIn => Field::LoggedIn,
        }
    }
}

/// The free-text fields and how each compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextField {
    /// Case- and separator-insensitive ([`category_eq`]); literals are spelt canonically by
    /// [`normalize_category`].
    VerifiedBotCategory,
    /// Exact, case-sensitive; the request's query string and fragment are ignored.
    Path,
    /// ASCII case-insensitive: literals are upper-cased.
    Country,
    /// Exact, case-sensitive.
    Ua,
    /// Exact, case-sensitive.
    Ja4,
}

impl TextField {
    pub fn field(self) -> Field {
        match self {
            TextField::VerifiedBotCategory => Field::VerifiedBotCategory,
            TextField::Path => Field::Path,
            TextField::Country => Field::Country,
            TextField::Ua => Field::Ua,
            TextField::Ja4 => Field::Ja4,
        }
    }

    /// The canonical form of a literal for this field (idempotent).
    pub fn normalize(self, s: &str) -> String {
        match self {
            TextField::VerifiedBotCategory => normalize_category(s),
            TextField::Country => s.to_ascii_uppercase(),
            TextField::Path | TextField::Ua | TextField::Ja4 => s.to_string(),
        }
    }
}

/// Ordering and equality operators of number fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// Membership operators of string, band and IP fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchOp {
    Eq,
    Ne,
    In,
    NotIn,
}

impl MatchOp {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Eq => "==",
            MatchOp::Ne => "!=",
            MatchOp::In => "in",
            MatchOp::NotIn => "not in",
        }
    }

    /// `!=` and `not in`.
    pub fn negated(self) -> bool {
        matches!(self, MatchOp::Ne | MatchOp::NotIn)
    }

    /// `in` and `not in` (the value is a list).
    pub fn list(self) -> bool {
        matches!(self, MatchOp::In | MatchOp::NotIn)
    }
}

/// A set of bands as a bit mask (bit `i` = `BandSet::ORDER[i]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BandSet(pub u8);

impl BandSet {
    /// The bands in their canonical (printing) order.
    pub const ORDER: [Band; 5] = [
        Band::NotComputed,
        Band::Definite,
        Band::LikelyAutomated,
        Band::LikelyHuman,
        Band::Verified,
    ];

    fn bit(b: Band) -> u8 {
        1 << match b {
            Band::NotComputed => 0,
            Band::Definite => 1,
            Band::LikelyAutomated => 2,
            Band::LikelyHuman => 3,
            Band::Verified => 4,
        }
    }

    pub fn with(self, b: Band) -> BandSet {
        BandSet(self.0 | Self::bit(b))
    }

    pub fn contains(self, b: Band) -> bool {
        self.0 & Self::bit(b) != 0
    }

    pub fn len(self) -> u32 {
        self.0.count_ones()
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Band> {
        Self::ORDER.into_iter().filter(move |b| self.contains(*b))
    }
}

/// A band name of rule literals (`Band::as_str`).
pub fn band_from_name(s: &str) -> Option<Band> {
    BandSet::ORDER.into_iter().find(|b| b.as_str() == s)
}

/// An address (full-length prefix) or a CIDR network, with its mask precomputed.
/// IPv4-mapped IPv6 literals are stored as IPv4, like the request addresses they meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpNet {
    V4 { addr: u32, mask: u32, prefix: u8 },
    V6 { addr: u128, mask: u128, prefix: u8 },
}

impl IpNet {
    /// Parses `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or `v6/n`. Host bits must be zero.
    pub fn parse(s: &str) -> Result<IpNet, String> {
        let (addr_s, prefix_s) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr_s.parse().map_err(|_| {
            format!("Invalid IP address \"{addr_s}\" in rule expression; expected an IPv4 or IPv6 address such as \"203.0.113.7\" or \"2001:db8::1\".")
        })?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix_s {
            None => max,
            Some(p) => {
                let ok = !p.is_empty()
                    && p.len() <= 3
                    && p.bytes().all(|b| b.is_ascii_digit())
                    && !(p.len() > 1 && p.starts_with('0'));
                match p.parse::<u8>() {
                    Ok(n) if ok && n <= max => n,
                    _ => {
                        return Err(format!(
                            "Invalid CIDR \"{s}\" in rule expression: the prefix length must be a whole number from 0 to {max}."
                        ));
                    }
                }
            }
        };
        let net = IpNet::new(addr, prefix);
        if !net.is_network() {
            return Err(format!(
                "Invalid CIDR \"{s}\" in rule expression: host bits are set; did you mean \"{}\"?",
                net.network()
            ));
        }
        Ok(net.canonical())
    }

    fn new(addr: IpAddr, prefix: u8) -> IpNet {
        match addr {
            IpAddr::V4(a) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
                IpNet::V4 {
                    addr: u32::from(a),
                    mask,
                    prefix,
                }
            }
            IpAddr::V6(a) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
                IpNet::V6 {
                    addr: u128::from(a),
                    mask,
                    prefix,
                }
            }
        }
    }

    fn is_network(self) -> bool {
        match self {
            IpNet::V4 { addr, mask, .. } => addr & !mask == 0,
            IpNet::V6 { addr, mask, .. } => addr & !mask == 0,
        }
    }

    /// The same prefix with the host bits cleared.
    fn network(self) -> IpNet {
        match self {
            IpNet::V4 { addr, mask, prefix } => IpNet::V4 {
                addr: addr & mask,
                mask,
                prefix,
            },
            IpNet::V6 { addr, mask, prefix } => IpNet::V6 {
                addr: addr & mask,
                mask,
                prefix,
            },
        }
    }

    /// IPv4-mapped IPv6 networks (`::ffff:a.b.c.d/n`, n ≥ 96) as IPv4.
    fn canonical(self) -> IpNet {
        match self {
            IpNet::V6 { addr, prefix, .. } if prefix >= 96 && addr >> 32 == 0xffff => {
                IpNet::new(IpAddr::V4(Ipv4Addr::from(addr as u32)), prefix - 96)
            }
            n => n,
        }
    }

    /// Whether `ip` (already canonical: IPv4-mapped addresses as IPv4) is in the network.
    #[inline]
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (*self, ip) {
            (IpNet::V4 { addr, mask, .. }, IpAddr::V4(a)) => u32::from(a) & mask == addr,
            (IpNet::V6 { addr, mask, .. }, IpAddr::V6(a)) => u128::from(a) & mask == addr,
            _ => false,
        }
    }
}

impl std::fmt::Display for IpNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            IpNet::V4 { addr, prefix, .. } => {
                write!(f, "{}", Ipv4Addr::from(addr))?;
                if prefix != 32 {
                    write!(f, "/{prefix}")?;
                }
            }
            IpNet::V6 { addr, prefix, .. } => {
                write!(f, "{}", Ipv6Addr::from(addr))?;
                if prefix != 128 {
                    write!(f, "/{prefix}")?;
                }
            }
        }
        Ok(())
    }
}

fn is_category_separator(c: char) -> bool {
    c.is_whitespace() || c == '_' || c == '-'
}

/// The characters of a category literal in its canonical spelling: ASCII lower case, each
/// run of separators (white space, `_`, `-`) between two other characters as one `_`,
/// leading and trailing separators dropped. `"AI Crawler"`, `"ai_crawler"` and
/// `" ai--CRAWLER "` are all spelt `ai_crawler`. (Comparison is looser still: see
/// [`category_eq`].)
#[derive(Clone)]
pub(crate) struct CategoryChars<'a> {
    chars: std::str::Chars<'a>,
    pending: Option<char>,
}

impl<'a> CategoryChars<'a> {
    pub(crate) fn new(s: &'a str) -> Self {
        let trimmed = s.trim_start_matches(is_category_separator);
        CategoryChars {
            chars: trimmed.chars(),
            pending: None,
        }
    }
}

impl Iterator for CategoryChars<'_> {
    type Item = char;

    #[inline]
    fn next(&mut self) -> Option<char> {
        if let Some(c) = self.pending.take() {
            return Some(c);
        }
        let c = self.chars.next()?;
        if !is_category_separator(c) {
            return Some(c.to_ascii_lowercase());
        }
        // A run of separators: one `_` if another character follows, else the end.
        for c in self.chars.by_ref() {
            if !is_category_separator(c) {
                self.pending = Some(c.to_ascii_lowercase());
                return Some('_');
            }
        }
        None
    }
}

/// The canonical spelling of a verified-bot category literal (see [`CategoryChars`]):
/// `"AI  Crawler"` is printed as `"ai_crawler"`.
pub fn normalize_category(s: &str) -> String {
    CategoryChars::new(s).collect()
}

/// The characters two category names are compared by: their ASCII letters and digits,
/// lower-cased; everything else (spaces, `_`, `-`, `.`, …) is ignored. The same rule as
/// the verified-bot catalogue's `category_key`, so `"AI Crawler"`, `"ai-crawler"`,
/// `"AiCrawler"` and `"ai_crawler"` are one category.
#[inline]
pub(crate) fn category_key_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
}

/// Whether two category names denote the same category (allocation-free).
#[inline]
pub(crate) fn category_eq(a: &str, b: &str) -> bool {
    category_key_chars(a).eq(category_key_chars(b))
}
