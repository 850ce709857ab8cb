//! Rules of the control plane (CRUD, validated at save time) and the compiled-rules cache
//! that verdict reads use: keyed by the project's rules version, which every rule write
//! bumps and every verdict query reads, so no process ever evaluates stale rules.
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use super::{Core, from_store, from_store_unless_gone, plans, records};
use crate::domain::{Action, ProjectRule};
use crate::store::TokenPrincipal;
use crate::{
    error::{ApiError, ApiResult},
    rules::{self as lang, Rule},
    store::{ProjectStore, RuleRow, RuleStore, RuleWrite},
};

/// A rule's fields as sent; `None` keeps (update) or defaults (create).
#[derive(Debug, Clone, Default)]
pub struct RuleChange {
    pub name: Option<String>,
    pub expression: Option<String>,
    pub action: Option<Action>,
    pub is_active: Option<bool>,
    pub sort_order: Option<i32>,
}

/// A project's compiled active rules with the version they were compiled at.
type Versioned = (i64, Arc<Vec<Rule>>);

/// Compiled active rules per project.
#[derive(Default)]
pub struct RulesCache {
    inner: RwLock<HashMap<i32, Versioned>>,
}

fn rule_id(id: u32) -> ApiResult<i32> {
    i32::try_from(id)
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| ApiError::invalid("rule", "\"rule\" must be a positive rule id."))
}

fn validate(name: &str, expression: &str) -> ApiResult<()> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::invalid(
            "name",
            "\"name\" must be 1 to 200 characters.",
        ));
    }
    lang::parse(expression).map_err(|e| {
        ApiError::invalid("expression", e.to_string())
            .with_detail("line", e.position.line.to_string())
            .with_detail("column", e.position.column.to_string())
    })?;
    Ok(())
}

/// A new rule's fields, checked and defaulted: what `create_rule` stores and what the
/// scoring preview evaluates.
pub(super) fn new_rule(c: RuleChange) -> ApiResult<RuleWrite> {
    let name = c.name.unwrap_or_default();
    let expression = c.expression.unwrap_or_default();
    validate(&name, &expression)?;
    let action = c.action.ok_or_else(|| {
        ApiError::invalid(
            "action",
            "\"action\" is required: allow, challenge, block, log or delay.",
        )
    })?;
    Ok(RuleWrite {
        name: name.trim().to_string(),
        expression_source: expression,
        action: action.as_str(),
        is_active: c.is_active.unwrap_or(true),
        sort_order: c.sort_order.unwrap_or(0),
    })
}

pub(super) fn compile(row: &RuleRow) -> Option<Rule> {
    let action = lang::parse_action(&row.action)?;
    match Rule::compile(
        row.name.clone(),
        &row.expression_source,
        action,
        row.is_active,
    ) {
        Ok(rule) => Some(rule),
        Err(e) => {
            tracing::warn!(rule = row.id, error = %e, "stored rule no longer compiles; skipped");
            None
        }
    }
}

/// Written against [`ProjectStore`] and [`RuleStore`] (unit-tested over `fake_store`).
impl<S: ProjectStore + RuleStore> Core<S> {
    pub async fn list_rules(
        &self,
        p: &TokenPrincipal,
        project: u32,
    ) -> ApiResult<Vec<ProjectRule>> {
        let project = self.owned_project(p, project).await?;
        Ok(from_store(self.store.rules(project.id).await)?
            .into_iter()
            .map(records::rule)
            .collect())
    }

    pub async fn get_rule(
        &self,
        p: &TokenPrincipal,
        project: u32,
        rule: u32,
    ) -> ApiResult<ProjectRule> {
        let project = self.owned_project(p, project).await?;
        let id = rule_id(rule)?;
        from_store(self.store.rule(project.id, id).await)?
            .map(records::rule)
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "Rule {rule} does not exist in project {}.",
                    project.id
                ))
            })
    }

    pub async fn create_rule(
        &self,
        p: &TokenPrincipal,
        project: u32,
        c: RuleChange,
    ) -> ApiResult<ProjectRule> {
        let project = self.owned_project(p, project).await?;
        let write = new_rule(c)?;
        from_store_unless_gone(self.store.insert_rule(project.id, &write).await, || {
            ApiError::not_found(format!("Project {} does not exist.", project.id))
        })
        .map(records::rule)
    }

    pub async fn update_rule(
        &self,
        p: &TokenPrincipal,
        project: u32,
        rule: u32,
        c: RuleChange,
    ) -> ApiResult<ProjectRule> {
        let current = self.get_rule(p, project, rule).await?;
        let name = c.name.unwrap_or(current.name);
        let expression = c.expression.unwrap_or(current.expression_source);
        validate(&name, &expression)?;
        let action = match c.action {
            Some(a) => a.as_str(),
            None => current.action.as_str(),
        };
        let write = RuleWrite {
            name: name.trim().to_string(),
            expression_source: expression,
            action,
            is_active: c.is_active.unwrap_or(current.is_active),
            sort_order: c.sort_order.unwrap_or(current.sort_order),
        };
        from_store_unless_gone(
            self.store
                .update_rule(current.project_id, current.id, &write)
                .await,
            || ApiError::not_found(format!("Rule {rule} does not exist in project {project}.")),
        )?
        .map(records::rule)
        .ok_or_else(|| {
            ApiError::not_found(format!("Rule {rule} does not exist in project {project}."))
        })
    }

    pub async fn delete_rule(&self, p: &TokenPrincipal, project: u32, rule: u32) -> ApiResult<()> {
        let current = self.get_rule(p, project, rule).await?;
        if !from_store(self.store.delete_rule(current.project_id, current.id).await)? {
            return Err(ApiError::not_found(format!(
                "Rule {rule} does not exist in project {project}."
            )));
        }
        Ok(())
    }

    /// The verified-bot catalogue export; needs the plan feature `verified-bots-export`.
    pub async fn export_verified_bots(
        &self,
        p: &TokenPrincipal,
    ) -> ApiResult<crate::verified::ExportBody> {
        plans::require(p, plans::VERIFIED_BOTS_EXPORT)?;
        Ok(self.verifier.export())
    }
}

impl<S: crate::store::VerdictReads> Core<S> {
    /// The project's compiled active rules at `version` (from the verdict query). Version 0:
    /// no rule was ever written, nothing to load.
    pub(crate) async fn compiled_rules(
        &self,
        project_id: i32,
        version: i64,
    ) -> Result<Arc<Vec<Rule>>, sea_orm::DbErr> {
        if version == 0 {
            // Shared: no allocation per verdict of a project without rules.
            static NONE: std::sync::OnceLock<Arc<Vec<Rule>>> = std::sync::OnceLock::new();
            return Ok(NONE.get_or_init(Default::default).clone());
        }
        if let Some((v, rules)) = self
            .rules_cache
            .inner
            .read()
            .expect("rules cache")
            .get(&project_id)
            && *v == version
        {
            return Ok(rules.clone());
        }
        let (loaded_version, rows) = self.store.rules_with_version(project_id).await?;
        let rules: Arc<Vec<Rule>> = Arc::new(
            rows.iter()
                .filter(|r| r.is_active)
                .filter_map(compile)
                .collect(),
        );
        let mut cache = self.rules_cache.inner.write().expect("rules cache");
        if cache
            .get(&project_id)
            .is_none_or(|(v, _)| *v < loaded_version)
        {
            cache.insert(project_id, (loaded_version, rules.clone()));
        }
        Ok(rules)
    }
}
