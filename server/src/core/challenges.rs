//! Proof-of-work challenges at the core: issuing one for a site key, checking a batch's
//! proof before it is stored. The cryptography is in [`crate::integrity`]; the single-use
//! record is written in ingest's transaction.
use rand::TryRngCore;

use super::{ClientInfo, Core};
use crate::{
    domain::IncomingIntegrity,
    error::ApiResult,
    integrity::{self, Binding, Issued, Outcome, Secret},
    store::{ChallengeRedemption, Store, now_ms},
};

/// Name of the HMAC key in `server_secrets`.
const SECRET_NAME: &str = "challenge_hmac_v1";

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rngs::OsRng
        .try_fill_bytes(&mut b)
        .expect("the OS random number generator failed");
    b
}

/// The stored challenge secret, created from the OS CSPRNG by the first process to start.
pub async fn load_secret(store: &Store) -> Result<Secret, sea_orm::DbErr> {
    let stored = store
        .server_secret(SECRET_NAME, &hex::encode(random::<32>()))
        .await?;
    Secret::from_hex(&stored)
        .ok_or_else(|| sea_orm::DbErr::Custom(format!("server secret {SECRET_NAME} is unreadable")))
}

fn binding<'a>(project_id: i32, prefix: &'a str, client: &'a ClientInfo) -> Binding<'a> {
    Binding {
        project_id: project_id.max(0) as u32,
        address_prefix: prefix,
        user_agent: client.user_agent.as_deref().unwrap_or(""),
    }
}

impl Core {
    /// A challenge for the site key's project at its difficulty, bound to the client.
    /// Needs no write: the challenge carries everything its verification needs.
    pub async fn create_challenge(
        &self,
        site_key: &super::auth::SiteKey,
        client: &ClientInfo,
    ) -> ApiResult<Issued> {
        let principal = self.site_key_principal(site_key).await?;
        let prefix = integrity::address_prefix(client.ip);
        let base = principal
            .challenge_difficulty
            .clamp(0, integrity::MAX_DIFFICULTY as i32) as u32;
        let difficulty = if base == 0 {
            0
        } else {
            base + self.volume_bits(principal.project_id, client).await
        };
        Ok(integrity::mint(
            &self.challenge_secret,
            &binding(principal.project_id, &prefix, client),
            difficulty,
            now_ms(),
            random::<16>(),
        ))
    }

    /// Extra bits for a public address that opened many sessions of the project in the
    /// last 10 minutes (the per-address rate's threshold, `integrity::volume_bits`). Loopback,
    /// private and shared addresses are exempt, as from the rate finding. A failed count adds
    /// nothing (issuing never fails on it).
    async fn volume_bits(&self, project_id: i32, client: &ClientInfo) -> u32 {
        let Some(ip) = client
            .ip
            .map(|ip| ip.to_canonical())
            .filter(|ip| crate::domain::address::rate_limited_address(*ip))
        else {
            return 0;
        };
        let now = now_ms();
        match self
            .store
            .address_sessions(project_id, &ip.to_string(), now - 600_000, now)
            .await
        {
            Ok(n) => integrity::volume_bits(n),
            Err(e) => {
                tracing::warn!(error = %e, "counting an address's sessions failed");
                0
            }
        }
    }
}

impl<S> Core<S> {
    /// What a batch's proof is, before the single-use check: the outcome to record and, for
    /// a proof that verified, the redemption the store performs with the batch.
    pub(crate) fn check_proof(
        &self,
        proof: Option<&IncomingIntegrity>,
        project_id: i32,
        client: &ClientInfo,
    ) -> (Outcome, Option<ChallengeRedemption>) {
        let Some(p) = proof else {
            return (Outcome::Absent, None);
        };
        let prefix = integrity::address_prefix(client.ip);
        let checked = integrity::verify(
            &self.challenge_secret,
            &binding(project_id, &prefix, client),
            &p.challenge,
            &p.nonce,
            now_ms(),
        );
        crate::metrics::challenge_verification(match &checked {
            Ok(_) => Outcome::Valid.name(),
            Err(o) => o.name(),
        });
        match checked {
            Ok(r) => (
                Outcome::Valid,
                Some(ChallengeRedemption {
                    challenge_id: r.id,
                    expires_at: r.expires_at_ms,
                    reused_code: Outcome::Reused.code(),
                }),
            ),
            Err(outcome) => (outcome, None),
        }
    }
}
