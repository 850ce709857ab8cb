//! The verified-bot catalogue export (account token).
use super::*;

#[tonic::async_trait]
impl pb::verified_bot_service_server::VerifiedBotService for Api {
    async fn export_verified_bots(
        &self,
        req: Request<pb::ExportVerifiedBotsRequest>,
    ) -> Rpc<pb::ExportVerifiedBotsResponse> {
        let p = self
            .authenticate(&req, auth::VERIFIED_BOT_SERVICE_EXPORT_VERIFIED_BOTS, None)
            .await?;
        ok(self
            .core
            .export_verified_bots(p.account()?)
            .await
            .map(|body| pb::ExportVerifiedBotsResponse {
                meta: Some(pb::ExportMeta {
                    count: body.meta.count as u32,
                }),
                data: body
                    .data
                    .into_iter()
                    .map(|r| pb::VerifiedBot {
                        name: r.name,
                        category: r.category.as_str().to_string(),
                        match_method: r.match_method.as_str().to_string(),
                        match_value: r.match_value,
                    })
                    .collect(),
            }))
    }
}
