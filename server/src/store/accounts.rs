//! Accounts, users and account API tokens: the operator CLI's writes and the control
//! plane's credential lookups; monthly usage.
use super::*;

/// Lower-case ASCII slug of an account name.
pub(super) fn slugify(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() { "account".into() } else { s }
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct TokenPrincipal {
    pub token_id: i32,
    pub user_id: i32,
    pub account_id: i32,
    pub role: String,
    pub subscription_active: bool,
    pub token_hash: String,
    pub plan: String,
    /// Comma-separated feature override; `None`: the plan's defaults.
    pub features: Option<String>,
    /// When the token last authenticated a request (Unix ms), as last recorded.
    pub last_used_at: Option<i64>,
}

/// An active account API token as listed (no secret, no hash).
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct ApiTokenRow {
    pub id: i32,
    pub user_id: i32,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct AccountRow {
    pub id: i32,
    pub name: String,
    pub slug: String,
    pub is_personal: bool,
    pub subscription_active: bool,
    pub plan: String,
    pub monthly_event_quota: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct UserRow {
    pub id: i32,
    pub account_id: i32,
    pub name: String,
    pub email: String,
    pub role: String,
    pub created_at: i64,
}

impl Store {
    pub async fn create_account(
        &self,
        name: &str,
        email: &str,
    ) -> Result<(AccountRow, UserRow), DbErr> {
        let now = now_ms();
        let w = self.write().await?;
        let base = slugify(name);
        let mut slug = base.clone();
        for n in 2.. {
            let taken: Option<IdRow> = w
                .one(
                    "SELECT id FROM accounts WHERE slug = $1",
                    vec![param(slug.clone())],
                )
                .await?;
            if taken.is_none() {
                break;
            }
            slug = format!("{base}-{n}");
        }
        let account: IdRow = w
            .one_req(
                "INSERT INTO accounts (name, slug, is_personal, subscription_active, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                vec![
                    param(name),
                    param(slug),
                    param(false),
                    param(true),
                    param(now),
                ],
            )
            .await?;
        let user: IdRow = w
            .one_req(
                "INSERT INTO users (account_id, name, email, role, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                vec![param(account.id), param(name), param(email.to_lowercase()), param("owner"), param(now)],
            )
            .await?;
        w.commit().await?;
        let a = self
            .account(account.id)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("account".into()))?;
        let u = self
            .user(user.id)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("user".into()))?;
        Ok((a, u))
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, DbErr> {
        self.one(
            "SELECT id, account_id, name, email, role, created_at FROM users WHERE email = $1",
            vec![param(email.to_lowercase())],
        )
        .await
    }

    /// Revokes the user's active tokens of that name; returns how many.
    pub async fn revoke_tokens_by_name(&self, user_id: i32, name: &str) -> Result<u64, DbErr> {
        self.exec(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND name = $3 AND revoked_at IS NULL",
            vec![param(now_ms()), param(user_id), param(name)],
        )
        .await
    }

    pub async fn revoke_token_by_hash(&self, token_hash: &str) -> Result<u64, DbErr> {
        self.exec(
            "UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
            vec![param(now_ms()), param(token_hash)],
        )
        .await
    }

    pub async fn set_subscription(&self, account_id: i32, active: bool) -> Result<u64, DbErr> {
        self.exec(
            "UPDATE accounts SET subscription_active = $1 WHERE id = $2",
            vec![param(active), param(account_id)],
        )
        .await
    }

    pub async fn set_quota(
        &self,
        account_id: i32,
        monthly_events: Option<i64>,
    ) -> Result<u64, DbErr> {
        self.exec(
            "UPDATE accounts SET monthly_event_quota = $1 WHERE id = $2",
            vec![param(monthly_events), param(account_id)],
        )
        .await
    }

    /// Sets an account's plan, its feature override (`None`: the plan's defaults) and its
    /// monthly quota; returns rows affected.
    pub async fn set_plan(
        &self,
        account_id: i32,
        plan: &str,
        features: Option<&str>,
        monthly_events: Option<i64>,
    ) -> Result<u64, DbErr> {
        self.exec(
            "UPDATE accounts SET plan = $1, features = $2, monthly_event_quota = $3 WHERE id = $4",
            vec![
                param(plan),
                param(features),
                param(monthly_events),
                param(account_id),
            ],
        )
        .await
    }
}

impl AccountReads for Store {
    async fn account(&self, id: i32) -> Result<Option<AccountRow>, DbErr> {
        self.one(
            "SELECT id, name, slug, is_personal, subscription_active, plan, monthly_event_quota, created_at \
             FROM accounts WHERE id = $1",
            vec![param(id)],
        )
        .await
    }

    async fn user(&self, id: i32) -> Result<Option<UserRow>, DbErr> {
        self.one(
            "SELECT id, account_id, name, email, role, created_at FROM users WHERE id = $1",
            vec![param(id)],
        )
        .await
    }

    async fn events_this_period(&self, account_id: i32) -> Result<i64, DbErr> {
        let n: Option<(i64,)> = self
            .read_one(
                USAGE_SUM_SQL,
                vec![param(account_id), param(billing_period(now_ms()))],
            )
            .await?;
        Ok(n.map_or(0, |(n,)| n))
    }
}

impl TokenAuth for Store {
    /// Active token by hash, with its user and account state.
    async fn token_principal(&self, token_hash: &str) -> Result<Option<TokenPrincipal>, DbErr> {
        self.one(
            "SELECT t.id AS token_id, u.id AS user_id, u.account_id, u.role, a.subscription_active, t.token_hash, \
             a.plan, a.features, t.last_used_at \
             FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN accounts a ON a.id = u.account_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
            vec![param(token_hash)],
        )
        .await
    }

    async fn dashboard_principal(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<DashboardPrincipalRow>, DbErr> {
        self.one(
            "SELECT d.id AS session_id, u.id AS user_id, u.account_id, u.role, a.subscription_active, a.plan, a.features, \
             d.token_hash, d.expires_at \
             FROM dashboard_sessions d JOIN users u ON u.id = d.user_id JOIN accounts a ON a.id = u.account_id \
             WHERE d.token_hash = $1 AND d.revoked_at IS NULL AND d.expires_at > $2",
            vec![param(token_hash), param(now)],
        )
        .await
    }

    async fn mark_token_used(&self, token_id: i32, at: i64) -> Result<(), DbErr> {
        self.exec_as(
            Touched::Nothing,
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)",
            vec![param(at), param(token_id)],
        )
        .await
        .map(drop)
    }
}

/// Settings → API Tokens. Nothing here is read by a verdict.
impl ApiTokenStore for Store {
    async fn api_tokens(&self, user_id: i32) -> Result<Vec<ApiTokenRow>, DbErr> {
        self.all(
            "SELECT id, user_id, name, created_at, last_used_at FROM api_tokens \
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id",
            vec![param(user_id)],
        )
        .await
    }

    /// Stores a token hash for the user; the plaintext never reaches the store.
    async fn insert_token(
        &self,
        user_id: i32,
        name: &str,
        token_hash: &str,
    ) -> Result<ApiTokenRow, DbErr> {
        let w = self.write().await?;
        let (id, created_at): (i32, i64) = w
            .one_req(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) \
                 RETURNING id, created_at",
                vec![param(user_id), param(name), param(token_hash), param(now_ms())],
            )
            .await?;
        w.commit_as(Touched::Nothing).await?;
        Ok(ApiTokenRow {
            id,
            user_id,
            name: name.to_string(),
            created_at,
            last_used_at: None,
        })
    }

    async fn revoke_token(&self, user_id: i32, token_id: i32) -> Result<bool, DbErr> {
        Ok(self
            .exec(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
                vec![param(now_ms()), param(token_id), param(user_id)],
            )
            .await?
            > 0)
    }
}
