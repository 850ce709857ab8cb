//! Rules of a project and their version (bumped by every change, read by the cache).
use super::*;

/// A stored rule.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct RuleRow {
    pub id: i32,
    pub project_id: i32,
    pub name: String,
    pub expression_source: String,
    pub action: String,
    pub is_active: bool,
    pub sort_order: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A rule to insert, or the new values of an updated one.
#[derive(Debug, Clone)]
pub struct RuleWrite {
    pub name: String,
    pub expression_source: String,
    pub action: &'static str,
    pub is_active: bool,
    pub sort_order: i32,
}

impl Store {
    pub(super) const RULE_COLS: &str = "id, project_id, name, expression_source, action, is_active, sort_order, created_at, updated_at FROM rules";

    async fn bump_rules_version(w: &Writer<'_>, project_id: i32) -> Result<(), DbErr> {
        w.exec(
            "UPDATE scoring SET rules_version = rules_version + 1 WHERE project_id = $1",
            vec![param(project_id)],
        )
        .await?;
        Ok(())
    }
}

impl RuleStore for Store {
    /// The project's rules by `sort_order`, then id.
    async fn rules(&self, project_id: i32) -> Result<Vec<RuleRow>, DbErr> {
        self.all(
            &format!(
                "SELECT {} WHERE project_id = $1 ORDER BY sort_order, id",
                Self::RULE_COLS
            ),
            vec![param(project_id)],
        )
        .await
    }

    async fn rule(&self, project_id: i32, rule_id: i32) -> Result<Option<RuleRow>, DbErr> {
        self.one(
            &format!(
                "SELECT {} WHERE project_id = $1 AND id = $2",
                Self::RULE_COLS
            ),
            vec![param(project_id), param(rule_id)],
        )
        .await
    }

    async fn insert_rule(&self, project_id: i32, r: &RuleWrite) -> Result<RuleRow, DbErr> {
        let now = now_ms();
        let w = self.write().await?;
        let row: RuleRow = w
            .one_record_req(
                &format!(
                    "INSERT INTO rules (project_id, name, expression_source, action, is_active, sort_order, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {}",
                    Self::RULE_COLS.trim_end_matches(" FROM rules")
                ),
                vec![
                    param(project_id),
                    param(r.name.as_str()),
                    param(r.expression_source.as_str()),
                    param(r.action),
                    param(r.is_active),
                    param(r.sort_order),
                    param(now),
                    param(now),
                ],
            )
            .await?;
        Self::bump_rules_version(&w, project_id).await?;
        w.commit().await?;
        Ok(row)
    }

    /// Replaces a rule's values; `None` when it is not in the project.
    async fn update_rule(
        &self,
        project_id: i32,
        rule_id: i32,
        r: &RuleWrite,
    ) -> Result<Option<RuleRow>, DbErr> {
        let w = self.write().await?;
        let n = w
            .exec(
                "UPDATE rules SET name = $1, expression_source = $2, action = $3, is_active = $4, sort_order = $5, \
                 updated_at = $6 WHERE project_id = $7 AND id = $8",
                vec![
                    param(r.name.as_str()),
                    param(r.expression_source.as_str()),
                    param(r.action),
                    param(r.is_active),
                    param(r.sort_order),
                    param(now_ms()),
                    param(project_id),
                    param(rule_id),
                ],
            )
            .await?;
        if n == 0 {
            w.rollback().await?;
            return Ok(None);
        }
        Self::bump_rules_version(&w, project_id).await?;
        w.commit().await?;
        self.rule(project_id, rule_id).await
    }

    /// Deletes a rule; false when it is not in the project.
    async fn delete_rule(&self, project_id: i32, rule_id: i32) -> Result<bool, DbErr> {
        let w = self.write().await?;
        let n = w
            .exec(
                "DELETE FROM rules WHERE project_id = $1 AND id = $2",
                vec![param(project_id), param(rule_id)],
            )
            .await?;
        if n == 0 {
            w.rollback().await?;
            return Ok(false);
        }
        Self::bump_rules_version(&w, project_id).await?;
        w.commit().await?;
        Ok(true)
    }
}
