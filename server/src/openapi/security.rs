//! Security schemes: the three credentials (account token, site key, private key) as
//! OpenAPI security schemes and each method's requirement.
use super::*;

/// Security scheme names (components.securitySchemes).
pub(super) const ACCOUNT_TOKEN: &str = "accountToken";
pub(super) const PRIVATE_KEY: &str = "privateKey";
pub(super) const PRIVATE_KEY_HEADER: &str = "privateKeyHeader";
pub(super) const SITE_KEY: &str = "siteKey";

/// The security requirements of a credential: meeting any one is enough.
pub(super) fn security(credential: Credential) -> Vec<SecurityRequirement> {
    let req = |name: &str| SecurityRequirement::new(name, Vec::<String>::new());
    match credential {
        Credential::AccountToken => vec![req(ACCOUNT_TOKEN)],
        Credential::SiteKey => vec![req(SITE_KEY)],
        Credential::PrivateKey => vec![req(PRIVATE_KEY), req(PRIVATE_KEY_HEADER)],
        Credential::None => Vec::new(),
    }
}

pub(super) fn security_schemes() -> Vec<(&'static str, SecurityScheme)> {
    vec![
        (
            ACCOUNT_TOKEN,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "Account API token (no prefix): `Authorization: Bearer <token>`. Control \
                         plane: everything under `/v1/projects/…`, `/v1/account` and `/user`.",
                    ))
                    .build(),
            ),
        ),
        (
            PRIVATE_KEY,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("sk_…")
                    .description(Some(
                        "Project private key `sk_…` (secret, server-side only): \
                         `Authorization: Bearer sk_…`. The `X-Botect-Private-Key` header \
                         (scheme `privateKeyHeader`) is the alternative. Verdict reads.",
                    ))
                    .build(),
            ),
        ),
        (
            PRIVATE_KEY_HEADER,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Botect-Private-Key",
                "Project private key `sk_…`, as an alternative to `Authorization: Bearer sk_…`.",
            ))),
        ),
        (
            SITE_KEY,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Botect-Site-Key",
                "Project site key `pk_…` (public, ships in the browser). May also be sent as \
                 the `site_key` body field; the header is preferred. Ingest only.",
            ))),
        ),
    ]
}
