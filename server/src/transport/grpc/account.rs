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

    async fn list_api_tokens(
        &self,
        req: Request<pb::ListApiTokensRequest>,
    ) -> Rpc<pb::ListApiTokensResponse> {
        let p = self
            .authenticate(&req, auth::ACCOUNT_SERVICE_LIST_API_TOKENS, None)
            .await?;
        ok(self
            .core
            .api_tokens(p.account()?)
            .await
            .map(|ts| pb::ListApiTokensResponse {
                tokens: ts.into_iter().map(api_token).collect(),
            }))
    }

    async fn create_api_token(
        &self,
        req: Request<pb::CreateApiTokenRequest>,
    ) -> Rpc<pb::CreatedApiToken> {
        let p = self
            .authenticate(&req, auth::ACCOUNT_SERVICE_CREATE_API_TOKEN, None)
            .await?;
        let name = req.into_inner().name;
        ok(self
            .core
            .create_api_token(p.account()?, &name)
            .await
            .map(|t| pb::CreatedApiToken {
                id: t.token.id as u32,
                name: t.token.name,
                created_at: Some(timestamp(t.token.created_at_ms)),
                token: t.secret,
            }))
    }

    async fn delete_api_token(
        &self,
        req: Request<pb::DeleteApiTokenRequest>,
    ) -> Rpc<pbjson_types::Empty> {
        let p = self
            .authenticate(&req, auth::ACCOUNT_SERVICE_DELETE_API_TOKEN, None)
            .await?;
        let id = req.into_inner().id;
        ok(self
            .core
            .delete_api_token(p.account()?, id)
            .await
            .map(|()| pbjson_types::Empty {}))
    }
}

fn api_token(t: crate::domain::ApiToken) -> pb::ApiToken {
    pb::ApiToken {
        id: t.id as u32,
        name: t.name,
        created_at: Some(timestamp(t.created_at_ms)),
        last_used_at: t.last_used_at_ms.map(timestamp),
    }
}
