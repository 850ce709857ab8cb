//! Plans and features. A plan names a feature set and a default monthly ingest quota; the
//! operator assigns plans (`botect plan set`) and may override an account's features.
use crate::{
    error::{ApiError, ApiResult, ErrorCode},
    store::TokenPrincipal,
};

/// Export of the verified-bot catalogue (`GET /v1/verified-bots/export`).
pub const VERIFIED_BOTS_EXPORT: &str = "verified-bots-export";

/// Every feature a plan can grant.
pub const FEATURES: &[&str] = &[VERIFIED_BOTS_EXPORT];

/// A built-in plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub name: &'static str,
    pub features: &'static [&'static str],
    /// Default monthly ingest quota in events (`None`: unlimited).
    pub monthly_events: Option<i64>,
}

/// The built-in plans. `self-hosted` (every feature, unlimited) is what `botect account
/// create` assigns.
pub const PLANS: &[Plan] = &[
    Plan {
        name: "free",
        features: &[],
        monthly_events: Some(100_000),
    },
    Plan {
        name: "pro",
        features: &[VERIFIED_BOTS_EXPORT],
        monthly_events: Some(10_000_000),
    },
    Plan {
        name: "enterprise",
        features: FEATURES,
        monthly_events: None,
    },
    Plan {
        name: "self-hosted",
        features: FEATURES,
        monthly_events: None,
    },
];

pub fn plan(name: &str) -> Option<&'static Plan> {
    PLANS.iter().find(|p| p.name == name)
}

/// Parses a comma-separated feature list (`none` or empty: no features).
pub fn parse_features(list: &str) -> Result<Vec<&'static str>, String> {
    let mut out = Vec::new();
    for f in list
        .split(',')
        .map(str::trim)
        .filter(|f| !f.is_empty() && *f != "none")
    {
        match FEATURES.iter().find(|k| **k == f) {
            Some(k) if !out.contains(k) => out.push(*k),
            Some(_) => {}
            None => {
                return Err(format!(
                    "unknown feature {f:?}; known: {}",
                    FEATURES.join(", ")
                ));
            }
        }
    }
    Ok(out)
}

/// Whether the account has `feature`: its override if set, else its plan's defaults.
pub fn has_feature(plan_name: &str, override_list: Option<&str>, feature: &str) -> bool {
    match override_list {
        Some(list) => list.split(',').map(str::trim).any(|f| f == feature),
        None => plan(plan_name).is_some_and(|p| p.features.contains(&feature)),
    }
}

/// 403 `FEATURE_NOT_AVAILABLE` unless the principal's account has `feature`.
pub fn require(p: &TokenPrincipal, feature: &str) -> ApiResult<()> {
    if has_feature(&p.plan, p.features.as_deref(), feature) {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::FeatureNotAvailable,
        format!(
            "Your plan ({}) does not include the {feature} feature.",
            p.plan
        ),
    )
    .with_detail("feature", feature))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_and_overrides() {
        assert!(has_feature("self-hosted", None, VERIFIED_BOTS_EXPORT));
        assert!(has_feature("pro", None, VERIFIED_BOTS_EXPORT));
        assert!(!has_feature("free", None, VERIFIED_BOTS_EXPORT));
        assert!(!has_feature("unknown", None, VERIFIED_BOTS_EXPORT));
        assert!(has_feature(
            "free",
            Some("verified-bots-export"),
            VERIFIED_BOTS_EXPORT
        ));
        assert!(!has_feature("pro", Some(""), VERIFIED_BOTS_EXPORT));
        assert_eq!(
            parse_features("verified-bots-export, verified-bots-export").unwrap(),
            vec![VERIFIED_BOTS_EXPORT]
        );
        assert_eq!(parse_features("none").unwrap(), Vec::<&str>::new());
        assert!(parse_features("teleport").unwrap_err().contains("teleport"));
    }
}
