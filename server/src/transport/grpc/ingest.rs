//! Ingest: batches of events and proof-of-work challenges (site key).
use super::*;

#[tonic::async_trait]
impl pb::ingest_service_server::IngestService for Api {
    async fn ingest_events(
        &self,
        req: Request<pb::IngestEventsRequest>,
    ) -> Rpc<pb::IngestEventsResponse> {
        let p = self
            .authenticate(
                &req,
                auth::INGEST_SERVICE_INGEST_EVENTS,
                req.get_ref().site_key.as_deref(),
            )
            .await?;
        let idempotency_key = idempotency_key(req.metadata());
        let client = client_info(&req);
        let reply = match self
            .core
            .ingest(
                p.site_key()?,
                idempotency_key.as_deref(),
                batch(req.into_inner()),
                &client,
            )
            .await?
        {
            Ingested::Stored(ack) => ingest_response(ack),
            Ingested::Shed => pb::IngestEventsResponse {
                shed: Some(true),
                ..Default::default()
            },
        };
        Ok(Response::new(reply))
    }

    async fn create_challenge(
        &self,
        req: Request<pb::CreateChallengeRequest>,
    ) -> Rpc<pb::Challenge> {
        let p = self
            .authenticate(
                &req,
                auth::INGEST_SERVICE_CREATE_CHALLENGE,
                req.get_ref().site_key.as_deref(),
            )
            .await?;
        let client = client_info(&req);
        ok(self
            .core
            .create_challenge(p.site_key()?, &client)
            .await
            .map(|c| pb::Challenge {
                challenge: c.challenge,
                algorithm: crate::integrity::ALGORITHM.to_string(),
                difficulty: c.difficulty,
                expires_at: chrono::DateTime::from_timestamp_millis(c.expires_at_ms)
                    .unwrap_or_default()
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            }))
    }
}

/// A stored batch's receipt, as both ingest services answer it.
pub(super) fn ingest_response(ack: crate::domain::Receipt) -> pb::IngestEventsResponse {
    pb::IngestEventsResponse {
        session_token: ack.session_token,
        accepted: ack.accepted,
        duplicates: ack.duplicates,
        over_quota: ack.over_quota.then_some(true),
        shed: None,
    }
}
