//! Authentication, driven by each method's `(credential)` and `(errors)` options: the
//! transports hand [`Core::authenticate`] the method's generated [`Requirement`] and the
//! request's credentials, and pass the resulting [`Principal`] to the method. A credential
//! of one kind never works for another kind's methods.
use super::{Core, from_store, keys};
use crate::binding::{Credential, Requirement};
use crate::domain::Credentials;
use crate::error::{ApiError, ApiResult};
use crate::store::{TokenAuth, TokenPrincipal};

/// A site key checked for shape (`pk_…`, plausibly random); the method looks it up, after
/// the checks that need no store (ingest's overload gate comes before the lookup).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteKey {
    pub key: String,
    /// The project's account must have an active subscription (`402` otherwise).
    pub subscription: bool,
}

/// A private key checked for shape (`sk_…`), as its SHA-256; the verdict's one read checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateKey {
    pub hash: String,
    pub subscription: bool,
}

/// Who is calling, as far as the method's requirement asks.
#[derive(Debug, Clone)]
pub enum Principal {
    /// An account API token, looked up (not revoked), with the subscription checked when the
    /// method needs one.
    Account(TokenPrincipal),
    Site(SiteKey),
    Private(PrivateKey),
    /// A method that needs no credential.
    Anonymous,
}

/// A method handed a principal of another kind than it works with: its `(credential)`
/// option and its implementation disagree. Never a client's fault.
fn mismatch(wanted: &str) -> ApiError {
    ApiError::internal(format!(
        "this method works with {wanted}, but its (credential) option asks for another credential"
    ))
}

impl Principal {
    pub fn account(&self) -> ApiResult<&TokenPrincipal> {
        match self {
            Principal::Account(p) => Ok(p),
            _ => Err(mismatch("an account token")),
        }
    }

    pub fn site_key(&self) -> ApiResult<&SiteKey> {
        match self {
            Principal::Site(k) => Ok(k),
            _ => Err(mismatch("a site key")),
        }
    }

    pub fn private_key(&self) -> ApiResult<&PrivateKey> {
        match self {
            Principal::Private(k) => Ok(k),
            _ => Err(mismatch("a private key")),
        }
    }
}

/// How stale a token's recorded last use may get before a request records it again.
pub const TOKEN_USE_RESOLUTION_MS: i64 = 60_000;

fn use_is_due(last_used_at: Option<i64>, now: i64) -> bool {
    last_used_at.is_none_or(|t| now - t >= TOKEN_USE_RESOLUTION_MS)
}

fn bearer(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim())
        .filter(|t| !t.is_empty())
}

/// The site key of an ingest or challenge call (header, else body), checked for shape only.
/// No store access.
fn site_key_of<'a>(creds: &'a Credentials, body_site_key: Option<&'a str>) -> ApiResult<&'a str> {
    let site_key = creds.site_key.as_deref().or(body_site_key).map(str::trim);
    let Some(site_key) = site_key.filter(|k| !k.is_empty()) else {
        return Err(ApiError::unauthenticated(
            "Missing site key: send \"X-Botect-Site-Key: pk_…\" (or a \"site_key\" body field).",
        ));
    };
    if !site_key.starts_with(keys::SITE_KEY_PREFIX) || !keys::plausible_secret(site_key) {
        return Err(ApiError::unauthenticated(
            "This endpoint needs a site key (pk_…); other credentials do not work here.",
        ));
    }
    Ok(site_key)
}

/// The private key of a verdict read, checked for shape. `Authorization: Bearer sk_…` wins;
/// `X-Botect-Private-Key` serves when the Authorization header carries something else (e.g.
/// a proxy's own credentials).
fn private_key_of(creds: &Credentials) -> ApiResult<&str> {
    let bearer_key = creds.authorization.as_deref().and_then(bearer);
    let key = match (bearer_key, creds.private_key.as_deref()) {
        (Some(b), _) if b.starts_with(keys::PRIVATE_KEY_PREFIX) => b,
        (_, Some(k)) => k.trim(),
        (Some(b), None) => b,
        (None, None) if creds.authorization.is_some() => {
            return Err(ApiError::unauthenticated(
                "Malformed Authorization header: expected \"Bearer sk_…\".",
            ));
        }
        (None, None) => {
            return Err(ApiError::unauthenticated(
                "Missing private key: send \"Authorization: Bearer sk_…\" or \"X-Botect-Private-Key: sk_…\".",
            ));
        }
    };
    if !key.starts_with(keys::PRIVATE_KEY_PREFIX) || !keys::plausible_secret(key) {
        return Err(ApiError::unauthenticated(
            "Verdict reads need a private key (sk_…); other credentials do not work here.",
        ));
    }
    Ok(key)
}

/// Written against [`TokenAuth`] (unit-tested over `fake_store`).
impl<S: TokenAuth> Core<S> {
    /// The caller of a method with requirement `need`. `body_site_key`: the request's
    /// `site_key` field, which site-key methods also accept.
    pub async fn authenticate(
        &self,
        need: Requirement,
        creds: &Credentials,
        body_site_key: Option<&str>,
    ) -> ApiResult<Principal> {
        Ok(match need.credential {
            Credential::AccountToken => {
                let p = match (&creds.authorization, &creds.dashboard) {
                    (None, Some(d)) => self.dashboard_principal(d, need.mutating).await?,
                    _ => self.account_token(creds).await?,
                };
                if need.subscription && !p.subscription_active {
                    return Err(ApiError::no_subscription());
                }
                Principal::Account(p)
            }
            Credential::SiteKey => Principal::Site(SiteKey {
                key: site_key_of(creds, body_site_key)?.to_string(),
                subscription: need.subscription,
            }),
            Credential::PrivateKey => Principal::Private(PrivateKey {
                hash: keys::hash_secret(private_key_of(creds)?),
                subscription: need.subscription,
            }),
            Credential::None => Principal::Anonymous,
        })
    }

    /// The account token's principal; checks kind and revocation, not the subscription.
    async fn account_token(&self, creds: &Credentials) -> ApiResult<TokenPrincipal> {
        let Some(header) = creds.authorization.as_deref() else {
            return Err(ApiError::unauthenticated(
                "Missing credential: send your account API token as \"Authorization: Bearer <token>\".",
            ));
        };
        let Some(token) = bearer(header) else {
            return Err(ApiError::unauthenticated(
                "Malformed Authorization header: expected \"Bearer <token>\".",
            ));
        };
        if token.starts_with(keys::PRIVATE_KEY_PREFIX) || token.starts_with(keys::SITE_KEY_PREFIX) {
            return Err(ApiError::unauthenticated(
                "A site or private key cannot authenticate control-plane requests; use an account API token.",
            ));
        }
        if !keys::plausible_secret(token) {
            return Err(ApiError::unauthenticated("Malformed account API token."));
        }
        let hash = keys::hash_secret(token);
        match from_store(self.store.token_principal(&hash).await)? {
            Some(p) if keys::hashes_match(&p.token_hash, &hash) => {
                self.note_token_use(&p, crate::store::now_ms()).await;
                Ok(p)
            }
            _ => Err(ApiError::unauthenticated(
                "Invalid or revoked account API token.",
            )),
        }
    }

    /// Records the token's use when the recorded time is [`TOKEN_USE_RESOLUTION_MS`] old or
    /// more: authentication stays a read almost always. A failed write only loses the
    /// time; the request goes on.
    async fn note_token_use(&self, p: &TokenPrincipal, now: i64) {
        if !use_is_due(p.last_used_at, now) {
            return;
        }
        if let Err(e) = self.store.mark_token_used(p.token_id, now).await {
            tracing::warn!(token = p.token_id, error = %e, "could not record the token's last use");
        }
    }
}
