//! The account and the user behind a token.
use super::*;

#[tonic::async_trait]
impl pb::account_service_server::AccountService for Api {
    async fn get_account(&self, req: Request<pb::GetAccountRequest>) -> Rpc<pb::Account> {
        let p = self
            .authenticate(&req, auth::ACCOUNT_SERVICE_GET_ACCOUNT, None)
            .await?;
        ok(self
            .core
            .account(p.account()?)
            .await
            .map(|(a, role)| pb::Account {
                id: a.id as u32,
                name: a.name,
                slug: a.slug,
                is_personal: a.is_personal,
                role,
            }))
    }

    async fn get_user(&self, req: Request<pb::GetUserRequest>) -> Rpc<pb::User> {
        let p = self
            .authenticate(&req, auth::ACCOUNT_SERVICE_GET_USER, None)
            .await?;
        ok(self.core.user(p.account()?).await.map(|u| pb::User {
            id: u.id as u32,
            name: u.name,
            email: u.email,
            created_at: Some(timestamp(u.created_at_ms)),
        }))
    }
}
