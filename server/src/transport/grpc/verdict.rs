//! Verdict reads (private key).
use super::*;

#[tonic::async_trait]
impl pb::verdict_service_server::VerdictService for Api {
    async fn get_verdict(&self, req: Request<pb::GetVerdictRequest>) -> Rpc<pb::SessionVerdict> {
        let creds = credentials(req.metadata());
        let r = req.into_inner();
        let ctx = RequestContext {
            path: r.path,
            ip: r.ip,
            country: r.country,
            ua: r.ua,
        };
        ok(self
            .core
            .verdict(&creds, &r.session_token, &ctx)
            .await
            .map(verdict))
    }
}
