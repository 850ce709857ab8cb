//! Evaluation of compiled expressions against one verdict read. Pure, allocation-free:
//! literals were normalised at save time, so every predicate is a few comparisons.
use std::net::IpAddr;

use super::ast::{BoolField, CmpOp, Cond, Expr, Field, MatchOp, NumField, TextField, category_eq};
use crate::domain::{Band, RequestContext};

/// The values a rule can test, borrowed from the verdict read.
///
/// Absent values are `None`; an empty string counts as absent too, and so does a
/// non-finite behavioral number (NaN, ±∞). See `docs/rules.md` ("null and absent values").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleInput<'a> {
    /// 0 = not computed, else 1–99.
    pub score: u8,
    pub band: Band,
    pub verified_bot: bool,
    /// The verified crawler's category as the catalogue spells it (`"AI Crawler"`).
    pub verified_bot_category: Option<&'a str>,
    /// `js_detection.passed` (`None`: no probe data).
    pub js_passed: Option<bool>,
    pub static_resource: bool,
    /// The backend asserted a signed-in user for the session.
    pub logged_in: bool,
    pub detection_ids: &'a [u32],
    /// The protected request's path; a query string or fragment is ignored.
    pub path: Option<&'a str>,
    /// The protected request's address (IPv4-mapped IPv6 is treated as IPv4).
    pub ip: Option<IpAddr>,
    pub country: Option<&'a str>,
    pub ua: Option<&'a str>,
    /// The session's latest JA4 fingerprint.
    pub ja4: Option<&'a str>,
    pub mouse_entropy: Option<f64>,
    pub scroll_velocity: Option<f64>,
    pub visibility_changes: Option<f64>,
    pub first_input_delay_ms: Option<f64>,
}

impl Default for RuleInput<'_> {
    fn default() -> Self {
        RuleInput {
            score: 0,
            band: Band::NotComputed,
            verified_bot: false,
            verified_bot_category: None,
            js_passed: None,
            static_resource: false,
            logged_in: false,
            detection_ids: &[],
            path: None,
            ip: None,
            country: None,
            ua: None,
            ja4: None,
            mouse_entropy: None,
            scroll_velocity: None,
            visibility_changes: None,
            first_input_delay_ms: None,
        }
    }
}

impl<'a> RuleInput<'a> {
    /// Fills `path`, `ip`, `country` and `ua` from the verdict query (empty → absent; an
    /// `ip` that is not an address → absent) and `static_resource` from the path.
    pub fn with_request(mut self, ctx: &'a RequestContext) -> Self {
        let s = |v: &'a str| Some(v.trim()).filter(|v| !v.is_empty());
        self.path = s(&ctx.path);
        self.ip = s(&ctx.ip).and_then(|v| v.parse::<IpAddr>().ok());
        self.country = s(&ctx.country);
        self.ua = s(&ctx.ua);
        self.static_resource = self.path.is_some_and(crate::domain::is_static_resource);
        self
    }
}

#[inline]
fn present(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

/// Whether the expression matches the input.
pub fn eval(expr: &Expr, input: &RuleInput<'_>) -> bool {
    match expr {
        Expr::Cond(c) => cond(c, input),
        Expr::And(items) => items.iter().all(|e| eval(e, input)),
        Expr::Or(items) => items.iter().any(|e| eval(e, input)),
        Expr::Not(inner) => !eval(inner, input),
    }
}

#[inline]
fn number(field: NumField, input: &RuleInput<'_>) -> f64 {
    // Absent behaves like NaN: every comparison is false except `!=`. A non-finite value
    // counts as absent.
    let v = |x: Option<f64>| x.filter(|x| x.is_finite()).unwrap_or(f64::NAN);
    match field {
        NumField::Score => f64::from(input.score),
        NumField::MouseEntropy => v(input.mouse_entropy),
        NumField::ScrollVelocity => v(input.scroll_velocity),
        NumField::VisibilityChanges => v(input.visibility_changes),
        NumField::FirstInputDelayMs => v(input.first_input_delay_ms),
    }
}

fn absent(field: Field, input: &RuleInput<'_>) -> bool {
    let nan = |v: Option<f64>| v.is_none_or(|x| !x.is_finite());
    match field {
        Field::Score
        | Field::Band
        | Field::VerifiedBot
        | Field::StaticResource
        | Field::LoggedIn
        | Field::DetectionIds => false,
        Field::VerifiedBotCategory => present(input.verified_bot_category).is_none(),
        Field::JsPassed => input.js_passed.is_none(),
        Field::Path => present(input.path).is_none(),
        Field::Ip => input.ip.is_none(),
        Field::Country => present(input.country).is_none(),
        Field::Ua => present(input.ua).is_none(),
        Field::Ja4 => present(input.ja4).is_none(),
        Field::MouseEntropy => nan(input.mouse_entropy),
        Field::ScrollVelocity => nan(input.scroll_velocity),
        Field::VisibilityChanges => nan(input.visibility_changes),
        Field::FirstInputDelayMs => nan(input.first_input_delay_ms),
    }
}

/// `hit` for `==`/`in`, its negation for `!=`/`not in`.
#[inline]
fn apply(op: MatchOp, hit: bool) -> bool {
    hit != op.negated()
}

/// The path without its query string or fragment.
#[inline]
fn bare_path(p: &str) -> &str {
    match p.find(['?', '#']) {
        Some(i) => &p[..i],
        None => p,
    }
}

fn cond(c: &Cond, input: &RuleInput<'_>) -> bool {
    match c {
        Cond::Num { field, op, value } => {
            let x = number(*field, input);
            match op {
                CmpOp::Eq => x == *value,
                CmpOp::Ne => x != *value,
                CmpOp::Lt => x < *value,
                CmpOp::Le => x <= *value,
                CmpOp::Gt => x > *value,
                CmpOp::Ge => x >= *value,
            }
        }
        Cond::Bool {
            field,
            negated,
            value,
        } => {
            let x = match field {
                BoolField::VerifiedBot => Some(input.verified_bot),
                BoolField::JsPassed => input.js_passed,
                BoolField::StaticResource => Some(input.static_resource),
                BoolField::LoggedIn => Some(input.logged_in),
            };
            (x == Some(*value)) != *negated
        }
        Cond::Null { field, negated } => absent(*field, input) != *negated,
        Cond::Band { op, set } => apply(*op, set.contains(input.band)),
        Cond::Ids { negated, ids } => {
            let hit = input.detection_ids.iter().any(|id| {
                if ids.len() <= 8 {
                    ids.contains(id)
                } else {
                    ids.binary_search(id).is_ok()
                }
            });
            hit != *negated
        }
        Cond::Ip { op, nets } => {
            let hit = match input.ip {
                Some(ip) => {
                    let ip = ip.to_canonical();
                    nets.iter().any(|n| n.contains(ip))
                }
                None => false,
            };
            apply(*op, hit)
        }
        Cond::Text { field, op, values } => {
            let hit = match field {
                TextField::Path => match present(input.path) {
                    Some(p) => {
                        let p = bare_path(p);
                        values.iter().any(|v| **v == *p)
                    }
                    None => false,
                },
                TextField::Ua => match present(input.ua) {
                    Some(ua) => values.iter().any(|v| **v == *ua),
                    None => false,
                },
                TextField::Ja4 => match present(input.ja4) {
                    Some(j) => values.iter().any(|v| **v == *j),
                    None => false,
                },
                TextField::Country => match present(input.country) {
                    Some(c) => values.iter().any(|v| v.eq_ignore_ascii_case(c)),
                    None => false,
                },
                TextField::VerifiedBotCategory => match present(input.verified_bot_category) {
                    Some(c) => values.iter().any(|v| category_eq(c, v)),
                    None => false,
                },
            };
            apply(*op, hit)
        }
    }
}
