//! Save-time type checking: operators per field type, literal types, literal validation and
//! normalisation (band names, addresses and CIDRs, detection IDs, folded strings).
use super::{
    ast::{
        BandSet, BoolField, CmpOp, Cond, Field, FieldType, IpNet, MatchOp, TextField,
        band_from_name, category_key_chars,
    },
    error::{ErrorKind, RuleError},
    print::quote,
};

/// Any operator of the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
}

impl Op {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::In => "in",
            Op::NotIn => "not in",
        }
    }

    fn cmp(self) -> Option<CmpOp> {
        Some(match self {
            Op::Eq => CmpOp::Eq,
            Op::Ne => CmpOp::Ne,
            Op::Lt => CmpOp::Lt,
            Op::Le => CmpOp::Le,
            Op::Gt => CmpOp::Gt,
            Op::Ge => CmpOp::Ge,
            Op::In | Op::NotIn => return None,
        })
    }

    fn matching(self) -> Option<MatchOp> {
        Some(match self {
            Op::Eq => MatchOp::Eq,
            Op::Ne => MatchOp::Ne,
            Op::In => MatchOp::In,
            Op::NotIn => MatchOp::NotIn,
            _ => return None,
        })
    }
}

/// A literal as written, before it is checked against its field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit<'s> {
    Num(f64, &'s str),
    Str(String),
    Bool(bool),
    Null,
    /// Items with their byte offsets.
    List(Vec<(Lit<'s>, usize)>),
}

impl Lit<'_> {
    fn describe(&self) -> String {
        match self {
            Lit::Num(_, t) => format!("number {t}"),
            Lit::Str(s) => format!("string {}", quote(s)),
            Lit::Bool(b) => b.to_string(),
            Lit::Null => "null".into(),
            Lit::List(_) => "a list".into(),
        }
    }
}

/// A bare boolean field: `verified_bot` means `verified_bot == true`.
pub(crate) fn bare(field: BoolField) -> Cond {
    Cond::Bool {
        field,
        negated: false,
        value: true,
    }
}

/// Whether `op` applies to `field`'s type.
pub(crate) fn operator(src: &str, field: Field, op: Op, at: usize) -> Result<(), RuleError> {
    let ty = field.ty();
    let ok = match ty {
        FieldType::Number => op.cmp().is_some(),
        FieldType::Boolean => matches!(op, Op::Eq | Op::Ne),
        FieldType::String | FieldType::Band | FieldType::Ip => op.matching().is_some(),
        FieldType::IdSet => matches!(op, Op::In | Op::NotIn),
    };
    if ok {
        return Ok(());
    }
    let example = match ty {
        FieldType::IdSet => " (any overlap with a list), e.g. detection_ids in [50331648]",
        _ => "",
    };
    Err(RuleError::new(
        ErrorKind::TypeMismatch,
        src,
        at,
        format!(
            "Operator \"{}\" cannot be used with field \"{}\" ({}); use {}{example}.",
            op.as_str(),
            field.name(),
            ty.describe(),
            ty.operators()
        ),
    ))
}

/// Checks literal `lit` (at byte `at`) against `field` and `op` (already checked by
/// [`operator`]) and compiles the predicate.
pub(crate) fn comparison(
    src: &str,
    field: Field,
    op: Op,
    op_at: usize,
    lit: Lit<'_>,
    at: usize,
) -> Result<Cond, RuleError> {
    let mismatch = |at: usize, msg: String| RuleError::new(ErrorKind::TypeMismatch, src, at, msg);
    let invalid = |at: usize, msg: String| RuleError::new(ErrorKind::InvalidLiteral, src, at, msg);
    let name = field.name();
    let ty = field.ty();

    if lit == Lit::Null {
        if !matches!(op, Op::Eq | Op::Ne) {
            let msg = if matches!(op, Op::In | Op::NotIn) {
                format!(
                    "Operator \"{}\" needs a [list], found null; compare with null using == or !=.",
                    op.as_str()
                )
            } else {
                format!(
                    "null can only be compared with == or !=, not \"{}\".",
                    op.as_str()
                )
            };
            return Err(mismatch(op_at, msg));
        }
        if !field.nullable() {
            return Err(mismatch(
                at,
                format!(
                    "Field \"{name}\" always has a value and cannot be compared with null; only fields that can be absent can."
                ),
            ));
        }
        return Ok(Cond::Null {
            field,
            negated: op == Op::Ne,
        });
    }

    // Lists only with `in` / `not in`, and those need one.
    let is_list_op = matches!(op, Op::In | Op::NotIn);
    match (&lit, is_list_op) {
        (Lit::List(_), false) => {
            return Err(mismatch(
                at,
                format!(
                    "Operator \"{}\" compares with one value, found a list; use \"in\" or \"not in\" with a list.",
                    op.as_str()
                ),
            ));
        }
        (Lit::List(_), true) => {}
        (other, true) => {
            let of = match ty {
                FieldType::IdSet => "detection IDs",
                _ => "strings",
            };
            let shown = match other {
                Lit::Num(_, t) => t.to_string(),
                Lit::Str(s) => quote(s),
                Lit::Bool(b) => b.to_string(),
                _ => other.describe(),
            };
            return Err(mismatch(
                at,
                format!(
                    "Operator \"{}\" needs a [list] of {of}, found {}; write [{shown}].",
                    op.as_str(),
                    other.describe()
                ),
            ));
        }
        (_, false) => {}
    }

    let expect = |want: &str, lit: &Lit<'_>, at: usize| {
        mismatch(
            at,
            format!(
                "Field \"{name}\" is {}; expected {want}, found {}.",
                ty.describe(),
                lit.describe()
            ),
        )
    };

    match ty {
        FieldType::Number => {
            let (Lit::Num(value, _), Some(cmp)) = (&lit, op.cmp()) else {
                return Err(expect("a number", &lit, at));
            };
            let Some(field) = field.num() else {
                unreachable!("number field")
            };
            Ok(Cond::Num {
                field,
                op: cmp,
                value: *value,
            })
        }
        FieldType::Boolean => {
            let Lit::Bool(value) = lit else {
                return Err(expect("true or false", &lit, at));
            };
            let Some(field) = field.boolean() else {
                unreachable!("boolean field")
            };
            Ok(Cond::Bool {
                field,
                negated: op == Op::Ne,
                value,
            })
        }
        FieldType::IdSet => {
            let Lit::List(items) = lit else {
                unreachable!("list checked above")
            };
            let mut ids = Vec::with_capacity(items.len());
            for (item, at) in items {
                let Lit::Num(v, text) = item else {
                    return Err(mismatch(
                        at,
                        format!(
                            "List for field \"{name}\" must contain only detection IDs (whole numbers); found {}.",
                            item.describe()
                        ),
                    ));
                };
                if v.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&v) {
                    return Err(invalid(
                        at,
                        format!(
                            "Invalid detection ID {text}: detection IDs are whole numbers from 0 to {}.",
                            u32::MAX
                        ),
                    ));
                }
                ids.push(v as u32);
            }
            ids.sort_unstable();
            ids.dedup();
            Ok(Cond::Ids {
                negated: op == Op::NotIn,
                ids: ids.into(),
            })
        }
        FieldType::String | FieldType::Band | FieldType::Ip => {
            let Some(mop) = op.matching() else {
                unreachable!("operator checked")
            };
            let items: Vec<(String, usize)> = match lit {
                Lit::Str(s) => vec![(s, at)],
                Lit::List(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    for (item, at) in items {
                        let Lit::Str(s) = item else {
                            return Err(mismatch(
                                at,
                                format!(
                                    "List for field \"{name}\" must contain only strings; found {}.",
                                    item.describe()
                                ),
                            ));
                        };
                        out.push((s, at));
                    }
                    out
                }
                other => return Err(expect("a quoted string", &other, at)),
            };
            match ty {
                FieldType::Band => {
                    let mut set = BandSet::default();
                    for (s, at) in items {
                        let Some(b) = band_from_name(&s) else {
                            return Err(invalid(
                                at,
                                format!(
                                    "Unknown band {} in rule expression; expected one of not_computed, definite, likely_automated, likely_human, verified.",
                                    quote(&s)
                                ),
                            ));
                        };
                        set = set.with(b);
                    }
                    Ok(Cond::Band { op: mop, set })
                }
                FieldType::Ip => {
                    let mut nets = Vec::with_capacity(items.len());
                    for (s, at) in items {
                        nets.push(IpNet::parse(&s).map_err(|m| invalid(at, m))?);
                    }
                    Ok(Cond::Ip {
                        op: mop,
                        nets: nets.into(),
                    })
                }
                _ => {
                    let Some(tf) = field.text() else {
                        unreachable!("string field")
                    };
                    let mut values = Vec::with_capacity(items.len());
                    for (s, at) in items {
                        let v = tf.normalize(&s);
                        if tf == TextField::VerifiedBotCategory
                            && category_key_chars(&v).next().is_none()
                        {
                            return Err(invalid(
                                at,
                                format!(
                                    "Category {} has no letters or digits; categories are compared by their letters and digits only.",
                                    quote(&s)
                                ),
                            ));
                        }
                        if v.is_empty() {
                            return Err(invalid(
                                at,
                                format!(
                                    "Empty string {} for field \"{name}\"; to test for a missing value compare with null.",
                                    quote(&s)
                                ),
                            ));
                        }
                        values.push(v.into_boxed_str());
                    }
                    Ok(Cond::Text {
                        field: tf,
                        op: mop,
                        values: values.into(),
                    })
                }
            }
        }
    }
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A field the author probably meant by the unknown `name`.
pub(crate) fn suggest(name: &str) -> Option<&'static str> {
    if name.len() > 64 {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    if let Some(f) = Field::ALL.into_iter().find(|f| f.name() == lower) {
        return Some(f.name());
    }
    // A field without its prefix (`mouse_entropy`, `passed`), or another spelling.
    let aliases: [(&str, Field); 4] = [
        ("js_passed", Field::JsPassed),
        ("js_detection", Field::JsPassed),
        ("category", Field::VerifiedBotCategory),
        ("user_agent", Field::Ua),
    ];
    if let Some((_, f)) = aliases.iter().find(|(a, _)| *a == lower) {
        return Some(f.name());
    }
    if let Some(f) = Field::ALL
        .into_iter()
        .find(|f| f.name().rsplit('.').next() == Some(lower.as_str()) && f.name().contains('.'))
    {
        return Some(f.name());
    }
    Field::ALL
        .into_iter()
        .map(|f| (levenshtein(&lower, f.name()), f.name()))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}
