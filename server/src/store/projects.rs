//! Projects and their scoring configuration: keys, toggles, threshold, difficulty.
use super::*;
use crate::domain::SettingsPatch;

#[derive(Debug, Clone, FromQueryResult)]
pub struct ProjectRow {
    pub id: i32,
    pub account_id: i32,
    pub name: String,
    pub created_at: i64,
    pub scoring_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct ScoringRow {
    pub project_id: i32,
    pub enabled: bool,
    pub site_key: Option<String>,
    pub allow_verified: bool,
    pub protect_static: bool,
    pub block_definite: bool,
    pub challenge_likely: bool,
    pub likely_bot_threshold: i32,
    pub challenge_difficulty: i32,
}

impl Store {
    const PROJECT_COLS: &str = "p.id, p.account_id, p.name, p.created_at, COALESCE(s.enabled, FALSE) AS scoring_enabled \
         FROM projects p LEFT JOIN scoring s ON s.project_id = p.id";

    const SCORING_COLS: &str = "project_id, enabled, site_key, allow_verified, protect_static, block_definite, \
         challenge_likely, likely_bot_threshold, challenge_difficulty FROM scoring";
}

impl ProjectStore for Store {
    async fn create_project(&self, account_id: i32, name: &str) -> Result<ProjectRow, DbErr> {
        let now = now_ms();
        let w = self.write().await?;
        let row: IdRow = w
            .one_req(
                "INSERT INTO projects (account_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
                vec![param(account_id), param(name), param(now)],
            )
            .await?;
        w.exec(
            "INSERT INTO scoring (project_id, updated_at) VALUES ($1, $2)",
            vec![param(row.id), param(now)],
        )
        .await?;
        w.commit().await?;
        self.project(row.id)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("project".into()))
    }

    async fn project(&self, id: i32) -> Result<Option<ProjectRow>, DbErr> {
        self.one(
            &format!("SELECT {} WHERE p.id = $1", Self::PROJECT_COLS),
            vec![param(id)],
        )
        .await
    }

    async fn projects(&self, account_id: i32) -> Result<Vec<ProjectRow>, DbErr> {
        self.all(
            &format!(
                "SELECT {} WHERE p.account_id = $1 ORDER BY p.id",
                Self::PROJECT_COLS
            ),
            vec![param(account_id)],
        )
        .await
    }

    async fn delete_project(&self, id: i32) -> Result<u64, DbErr> {
        self.exec("DELETE FROM projects WHERE id = $1", vec![param(id)])
            .await
    }

    async fn scoring(&self, project_id: i32) -> Result<Option<ScoringRow>, DbErr> {
        self.one(
            &format!("SELECT {} WHERE project_id = $1", Self::SCORING_COLS),
            vec![param(project_id)],
        )
        .await
    }

    /// Enables scoring with the given new keys unless already enabled.
    /// Returns the row and whether the keys were minted now.
    async fn enable_scoring(
        &self,
        project_id: i32,
        site_key: &str,
        private_key_hash: &str,
    ) -> Result<(ScoringRow, bool), DbErr> {
        let n = self
            .exec(
                "UPDATE scoring SET enabled = $1, site_key = $2, private_key_hash = $3, updated_at = $4 \
                 WHERE project_id = $5 AND enabled = $6",
                vec![param(true), param(site_key), param(private_key_hash), param(now_ms()), param(project_id), param(false)],
            )
            .await?;
        let row = self
            .scoring(project_id)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("scoring".into()))?;
        Ok((row, n == 1))
    }

    /// Disables scoring and forgets both keys.
    async fn disable_scoring(&self, project_id: i32) -> Result<u64, DbErr> {
        self.exec(
            "UPDATE scoring SET enabled = $1, site_key = NULL, private_key_hash = NULL, updated_at = $2 WHERE project_id = $3",
            vec![param(false), param(now_ms()), param(project_id)],
        )
        .await
    }

    async fn update_settings(
        &self,
        project_id: i32,
        p: &SettingsPatch,
    ) -> Result<Option<ScoringRow>, DbErr> {
        self.exec(
            "UPDATE scoring SET allow_verified = COALESCE($1, allow_verified), protect_static = COALESCE($2, protect_static), \
             block_definite = COALESCE($3, block_definite), challenge_likely = COALESCE($4, challenge_likely), \
             likely_bot_threshold = COALESCE($5, likely_bot_threshold), challenge_difficulty = COALESCE($6, challenge_difficulty), \
             updated_at = $7 WHERE project_id = $8",
            vec![
                param(p.allow_verified),
                param(p.protect_static),
                param(p.block_definite),
                param(p.challenge_likely),
                param(p.likely_bot_threshold),
                param(p.challenge_difficulty),
                param(now_ms()),
                param(project_id),
            ],
        )
        .await?;
        self.scoring(project_id).await
    }

    /// Replaces the site key of an enabled project; false when scoring is not enabled.
    async fn rotate_site_key(&self, project_id: i32, site_key: &str) -> Result<bool, DbErr> {
        let n = self
            .exec(
                "UPDATE scoring SET site_key = $1, updated_at = $2 WHERE project_id = $3 AND enabled = $4",
                vec![param(site_key), param(now_ms()), param(project_id), param(true)],
            )
            .await?;
        Ok(n == 1)
    }

    /// Replaces the private key hash of an enabled project; false when scoring is not enabled.
    async fn rotate_private_key(
        &self,
        project_id: i32,
        private_key_hash: &str,
    ) -> Result<bool, DbErr> {
        let n = self
            .exec(
                "UPDATE scoring SET private_key_hash = $1, updated_at = $2 WHERE project_id = $3 AND enabled = $4",
                vec![param(private_key_hash), param(now_ms()), param(project_id), param(true)],
            )
            .await?;
        Ok(n == 1)
    }
}
