//! The calling user's account API tokens (Settings → API Tokens): list, create (the secret
//! shown once), revoke. Tokens are never cached, so a revoked token gets 401 on its next
//! request on every process.
use super::{Core, from_store, keys, records};
use crate::domain::ApiToken;
use crate::error::{ApiError, ApiResult};
use crate::store::{ApiTokenStore, TokenPrincipal};

/// A token just minted and the secret, which nothing stores.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub token: ApiToken,
    pub secret: String,
}

/// The longest token name, in characters.
pub const MAX_TOKEN_NAME: usize = 200;

/// A name of 1 to [`MAX_TOKEN_NAME`] characters, trimmed, without control characters.
pub fn token_name(name: &str) -> ApiResult<&str> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_TOKEN_NAME
        || name.chars().any(char::is_control)
    {
        return Err(ApiError::invalid(
            "name",
            format!(
                "\"name\" must be 1 to {MAX_TOKEN_NAME} characters without control characters (e.g. \"ci\")."
            ),
        ));
    }
    Ok(name)
}

fn token_id(id: u32) -> ApiResult<i32> {
    i32::try_from(id)
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| ApiError::invalid("id", "\"id\" must be a positive token id."))
}

/// Written against [`ApiTokenStore`].
impl<S: ApiTokenStore> Core<S> {
    pub async fn api_tokens(&self, p: &TokenPrincipal) -> ApiResult<Vec<ApiToken>> {
        Ok(from_store(self.store.api_tokens(p.user_id).await)?
            .into_iter()
            .map(records::api_token)
            .collect())
    }

    pub async fn create_api_token(&self, p: &TokenPrincipal, name: &str) -> ApiResult<NewApiToken> {
        let name = token_name(name)?;
        let secret = keys::new_account_token();
        let row = from_store(
            self.store
                .insert_token(p.user_id, name, &keys::hash_secret(&secret))
                .await,
        )?;
        Ok(NewApiToken {
            token: records::api_token(row),
            secret,
        })
    }

    /// Another user's token, a revoked one and a missing one are all 404: whether a token
    /// exists is not disclosed to other users.
    pub async fn delete_api_token(&self, p: &TokenPrincipal, id: u32) -> ApiResult<()> {
        let id = token_id(id)?;
        if from_store(self.store.revoke_token(p.user_id, id).await)? {
            Ok(())
        } else {
            Err(ApiError::not_found(format!(
                "You have no active API token with id {id}."
            )))
        }
    }
}
