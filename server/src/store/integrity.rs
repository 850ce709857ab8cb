//! Storage of the proof-of-work challenges: the shared HMAC secret and the single-use
//! record. The store decides nothing about a proof's validity; it only records who
//! redeemed a challenge first.
use sea_orm::DbErr;

use super::{Store, now_ms, param, tx::Tx};

/// A verified proof to redeem while its batch is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ChallengeRedemption {
    /// The challenge's id (32 hex digits).
    pub challenge_id: String,
    pub expires_at: i64,
    /// Stored as the request's integrity code instead of the caller's when another session
    /// redeemed the challenge first.
    pub reused_code: i16,
}

impl Store {
    /// The secret named `name`: the stored one, else `fresh`, stored now. Every process
    /// sharing the database gets the same value (the first writer's).
    pub async fn server_secret(&self, name: &str, fresh: &str) -> Result<String, DbErr> {
        self.exec(
            "INSERT INTO server_secrets (name, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
            vec![param(name), param(fresh), param(now_ms())],
        )
        .await?;
        let row: Option<(String,)> = self
            .read_one(
                "SELECT secret FROM server_secrets WHERE name = $1",
                vec![param(name)],
            )
            .await?;
        row.map(|(s,)| s)
            .ok_or_else(|| DbErr::RecordNotFound(format!("server secret {name}")))
    }

    /// Drops single-use records of challenges that can no longer be redeemed.
    pub async fn purge_challenge_uses(&self) -> Result<u64, DbErr> {
        self.exec_as(
            super::Touched::Nothing,
            "DELETE FROM challenge_uses WHERE expires_at < $1",
            vec![param(now_ms())],
        )
        .await
    }
}

/// Redeems `r` for `session_id` inside ingest's transaction. Returns `code` when this
/// session is the first (or already the) redeemer, else `r.reused_code`.
pub(super) async fn redeem_tx(
    tx: &impl Tx,
    project_id: i32,
    session_id: i64,
    r: &ChallengeRedemption,
    code: i16,
) -> Result<i16, DbErr> {
    let inserted = tx
        .exec(
            "INSERT INTO challenge_uses (challenge_id, project_id, session_id, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (challenge_id) DO NOTHING",
            vec![
                param(r.challenge_id.as_str()),
                param(project_id),
                param(session_id),
                param(r.expires_at),
            ],
        )
        .await?;
    if inserted == 1 {
        return Ok(code);
    }
    let (owner,): (i64,) = tx
        .one_req(
            "SELECT session_id FROM challenge_uses WHERE challenge_id = $1",
            vec![param(r.challenge_id.as_str())],
        )
        .await?;
    Ok(if owner == session_id {
        code
    } else {
        r.reused_code
    })
}
