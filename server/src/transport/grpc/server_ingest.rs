//! Server-side ingest: page hits and relayed batches from the customer's backend (private
//! key).
use super::*;
use crate::core::server_ingest::PageHitRecorded;

#[tonic::async_trait]
impl pb::server_ingest_service_server::ServerIngestService for Api {
    async fn record_page_hit(&self, req: Request<pb::PageHit>) -> Rpc<pb::PageHitReceipt> {
        let p = self
            .authenticate(&req, auth::SERVER_INGEST_SERVICE_RECORD_PAGE_HIT, None)
            .await?;
        let idempotency_key = idempotency_key(req.metadata());
        let reply = match self
            .core
            .record_page_hit(
                p.private_key()?,
                idempotency_key.as_deref(),
                page_hit(req.into_inner()),
            )
            .await?
        {
            PageHitRecorded::Stored(r) => pb::PageHitReceipt {
                session_token: r.session_token,
                duplicate: r.duplicate,
                shed: None,
            },
            PageHitRecorded::Shed => pb::PageHitReceipt {
                shed: Some(true),
                ..Default::default()
            },
        };
        Ok(Response::new(reply))
    }

    async fn relay_events(
        &self,
        req: Request<pb::RelayEventsRequest>,
    ) -> Rpc<pb::IngestEventsResponse> {
        let p = self
            .authenticate(&req, auth::SERVER_INGEST_SERVICE_RELAY_EVENTS, None)
            .await?;
        let idempotency_key = idempotency_key(req.metadata());
        let reply = match self
            .core
            .relay_events(
                p.private_key()?,
                idempotency_key.as_deref(),
                relay(req.into_inner()),
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
}
