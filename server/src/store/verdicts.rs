//! The data plane's reads: a site key's principal (ingest) and a verdict's one row.
use super::*;

#[derive(Debug, Clone)]
pub struct SiteKeyPrincipal {
    pub project_id: i32,
    pub account_id: i32,
    pub subscription_active: bool,
    pub monthly_event_quota: Option<i64>,
    /// Leading zero bits of the project's proof-of-work challenges.
    pub challenge_difficulty: i32,
}

/// Everything a verdict read needs, fetched in one round trip.
#[derive(Debug, Clone, FromQueryResult)]
pub struct VerdictRow {
    pub project_id: i32,
    pub subscription_active: bool,
    pub allow_verified: bool,
    pub protect_static: bool,
    pub block_definite: bool,
    pub challenge_likely: bool,
    pub likely_bot_threshold: i32,
    pub private_key_hash: String,
    pub score: Option<i32>,
    pub detection_ids: Option<String>,
    pub reason: Option<String>,
    /// The session's `js_detection.passed` (null: no probe).
    pub js_passed: Option<bool>,
    /// The session's behavioral features (JSON object) for rules.
    pub features: Option<String>,
    /// Bumped by every rule write of the project.
    pub rules_version: i64,
    /// The backend asserted a signed-in user (null: no such session).
    pub logged_in: Option<bool>,
    /// The session's latest JA4 and client address.
    pub ja4: Option<String>,
    pub client_ip: Option<String>,
}

impl tx::Row for VerdictRow {
    fn from_sqlx(r: &QueryResult) -> Result<Self, DbErr> {
        Self::from_query_result(r, "")
    }

    fn from_lite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(VerdictRow {
            project_id: r.get(0)?,
            subscription_active: r.get(1)?,
            allow_verified: r.get(2)?,
            protect_static: r.get(3)?,
            block_definite: r.get(4)?,
            challenge_likely: r.get(5)?,
            likely_bot_threshold: r.get(6)?,
            private_key_hash: r.get(7)?,
            score: r.get(8)?,
            detection_ids: r.get(9)?,
            reason: r.get(10)?,
            js_passed: r.get(11)?,
            features: r.get(12)?,
            rules_version: r.get(13)?,
            logged_in: r.get(14)?,
            ja4: r.get(15)?,
            client_ip: r.get(16)?,
        })
    }
}

impl VerdictReads for Store {
    /// What a read of `token`'s session depends on, as of now (`None`: this store has no
    /// change stamps, so nothing it returns may be cached). Take it before the read.
    fn change_stamp(&self, token: &str) -> Option<Stamp> {
        self.stamps.as_ref().map(|s| s.stamp(token))
    }

    /// Key check, settings, subscription and the session's stored score in one round trip.
    /// The verdict's row; on a locked SQLite file it waits for the lock until `deadline`.
    async fn verdict_row(
        &self,
        private_key_hash: &str,
        session_token: &str,
        deadline: Instant,
    ) -> Result<Option<VerdictRow>, DbErr> {
        const SQL: &str = "SELECT s.project_id, a.subscription_active, s.allow_verified, s.protect_static, s.block_definite, \
             s.challenge_likely, s.likely_bot_threshold, s.private_key_hash, ss.score, ss.detection_ids, ss.reason, \
             ss.js_passed, ss.features, s.rules_version, ss.logged_in, ss.ja4, ss.client_ip \
             FROM scoring s JOIN projects p ON p.id = s.project_id JOIN accounts a ON a.id = p.account_id \
             LEFT JOIN sessions ss ON ss.project_id = s.project_id AND ss.token = $1 \
             WHERE s.private_key_hash = $2 AND s.enabled = $3";
        self.read_one_until(
            deadline,
            SQL,
            vec![param(session_token), param(private_key_hash), param(true)],
        )
        .await
    }

    /// The project's rules with the version they belong to (read together, so a cache
    /// keyed by the version never holds rules of another version).
    async fn rules_with_version(&self, project_id: i32) -> Result<(i64, Vec<RuleRow>), DbErr> {
        let w = self.db.begin().await?;
        #[derive(FromQueryResult)]
        struct Version {
            rules_version: i64,
        }
        let version: Option<Version> = match w
            .query_one_raw(self.stmt(
                "SELECT rules_version FROM scoring WHERE project_id = $1",
                vec![param(project_id)],
            ))
            .await?
        {
            Some(row) => Some(Version::from_query_result(&row, "")?),
            None => None,
        };
        let rows = w
            .query_all_raw(self.stmt(
                &format!(
                    "SELECT {} WHERE project_id = $1 ORDER BY sort_order, id",
                    Self::RULE_COLS
                ),
                vec![param(project_id)],
            ))
            .await?;
        let rules = rows
            .iter()
            .map(|r| RuleRow::from_query_result(r, ""))
            .collect::<Result<_, _>>()?;
        w.commit().await?;
        Ok((version.map_or(0, |v| v.rules_version), rules))
    }
}

/// What asserting a signed-in user found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoggedInOutcome {
    /// No enabled project has this private key.
    UnknownKey,
    /// The key's project has no session with this token.
    UnknownSession,
    /// Stored at this time (Unix ms).
    Asserted(i64),
}

impl SessionAssertions for Store {
    async fn assert_logged_in(
        &self,
        private_key_hash: &str,
        session_token: &str,
        at: i64,
    ) -> Result<LoggedInOutcome, DbErr> {
        let project: Option<(i32,)> = self
            .read_one(
                "SELECT project_id FROM scoring WHERE private_key_hash = $1 AND enabled = $2",
                vec![param(private_key_hash), param(true)],
            )
            .await?;
        let Some((project_id,)) = project else {
            return Ok(LoggedInOutcome::UnknownKey);
        };
        let n = self
            .exec_as(
                Touched::Sessions(vec![session_token.to_string()]),
                "UPDATE sessions SET logged_in = $1, logged_in_at = $2 WHERE project_id = $3 AND token = $4",
                vec![param(true), param(at), param(project_id), param(session_token)],
            )
            .await?;
        Ok(if n == 0 {
            LoggedInOutcome::UnknownSession
        } else {
            LoggedInOutcome::Asserted(at)
        })
    }
}
