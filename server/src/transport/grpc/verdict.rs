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

    async fn assert_logged_in(
        &self,
        req: Request<pb::AssertLoggedInRequest>,
    ) -> Rpc<pb::LoggedInAssertion> {
        let p = self
            .authenticate(&req, auth::VERDICT_SERVICE_ASSERT_LOGGED_IN, None)
            .await?;
        let token = req.into_inner().session_token;
        ok(self
            .core
            .assert_logged_in(p.private_key()?, &token)
            .await
            .map(|at| pb::LoggedInAssertion {
                logged_in: true,
                asserted_at: Some(timestamp(at)),
            }))
    }
}
