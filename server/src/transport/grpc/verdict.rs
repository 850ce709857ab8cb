//! Verdict reads (private key).
use super::*;

#[tonic::async_trait]
impl pb::verdict_service_server::VerdictService for Api {
    async fn get_verdict(&self, req: Request<pb::GetVerdictRequest>) -> Rpc<pb::SessionVerdict> {
        let p = self
            .authenticate(&req, auth::VERDICT_SERVICE_GET_VERDICT, None)
            .await?;
        let r = req.into_inner();
        let ctx = RequestContext {
            path: r.path,
            ip: r.ip,
            country: r.country,
            ua: r.ua,
        };
        ok(self
            .core
            .verdict(p.private_key()?, &r.session_token, &ctx)
            .await
            .map(verdict))
    }
}
