//! The control plane's records as the core hands them out: accounts, users, projects,
//! rules, and a change of scoring settings. Times are milliseconds since the Unix epoch.
use super::Action;

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: i32,
    pub name: String,
    pub slug: String,
    pub is_personal: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i32,
    pub name: String,
    pub email: String,
    pub created_at_ms: i64,
}

/// An account API token as listed: never its secret or hash.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiToken {
    pub id: i32,
    pub name: String,
    pub created_at_ms: i64,
    pub last_used_at_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: i32,
    pub account_id: i32,
    pub name: String,
    pub scoring_enabled: bool,
    pub created_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq)]
/// A project's rule as the control plane shows it (the compiled form is `rules::Rule`).
pub struct ProjectRule {
    pub id: i32,
    pub project_id: i32,
    pub name: String,
    pub expression_source: String,
    pub action: Action,
    pub is_active: bool,
    pub sort_order: i32,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// Toggle, threshold and difficulty changes; `None` keeps the stored value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingsPatch {
    pub allow_verified: Option<bool>,
    pub protect_static: Option<bool>,
    pub block_definite: Option<bool>,
    pub challenge_likely: Option<bool>,
    pub likely_bot_threshold: Option<i32>,
    pub challenge_difficulty: Option<i32>,
}
