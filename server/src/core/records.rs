//! Store rows → the domain records the core hands out (the transports never see a row).
use crate::{
    domain::{Account, Action, ApiToken, Project, ProjectRule, User},
    store::{AccountRow, ApiTokenRow, ProjectRow, RuleRow, UserRow},
};

pub(super) fn account(a: AccountRow) -> Account {
    Account {
        id: a.id,
        name: a.name,
        slug: a.slug,
        is_personal: a.is_personal,
    }
}

pub(super) fn user(u: UserRow) -> User {
    User {
        id: u.id,
        name: u.name,
        email: u.email,
        created_at_ms: u.created_at,
    }
}

pub(super) fn project(p: ProjectRow) -> Project {
    Project {
        id: p.id,
        account_id: p.account_id,
        name: p.name,
        scoring_enabled: p.scoring_enabled,
        created_at_ms: p.created_at,
    }
}

/// A stored action that is not one of the five (never written by Botect) reads as `allow`.
pub(super) fn rule(r: RuleRow) -> ProjectRule {
    ProjectRule {
        action: crate::rules::parse_action(&r.action).unwrap_or(Action::Allow),
        id: r.id,
        project_id: r.project_id,
        name: r.name,
        expression_source: r.expression_source,
        is_active: r.is_active,
        sort_order: r.sort_order,
        created_at_ms: r.created_at,
        updated_at_ms: r.updated_at,
    }
}

pub(super) fn api_token(t: ApiTokenRow) -> ApiToken {
    ApiToken {
        id: t.id,
        name: t.name,
        created_at_ms: t.created_at,
        last_used_at_ms: t.last_used_at,
    }
}
