//! The operator's commands (`botect account|token|subscription|quota|plan`): their checks,
//! the secrets they mint, and their effect on the store. The CLI parses flags and prints;
//! everything else is here, so no caller outside the core touches the store.
use std::fmt;

use sea_orm::DbErr;

use super::{keys, plans};
use crate::store::{self, AccountRow, ApiTokenStore, DashboardStore, Store, UserRow};

/// Why an operator command did not apply.
#[derive(Debug)]
pub enum AdminError {
    /// The command's arguments are wrong (the message says how).
    Invalid(String),
    /// What it names does not exist.
    NotFound(String),
    Store(DbErr),
}

impl fmt::Display for AdminError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdminError::Invalid(m) | AdminError::NotFound(m) => f.write_str(m),
            AdminError::Store(e) => write!(f, "{e}"),
        }
    }
}

impl From<DbErr> for AdminError {
    fn from(e: DbErr) -> Self {
        AdminError::Store(e)
    }
}

type AdminResult<T> = Result<T, AdminError>;

/// Which tokens `token revoke` ends.
pub enum Revoke<'a> {
    /// The token itself (hashed; the hash is what is stored).
    Token(&'a str),
    /// Every active token of that name of the user with that email.
    Named { email: &'a str, name: &'a str },
}

/// A plan as applied to an account.
pub struct PlanSet {
    pub plan: &'static str,
    /// The features the account now has.
    pub features: Vec<&'static str>,
    pub monthly_event_quota: Option<i64>,
}

/// The operator's door to the core: one store, no server.
pub struct Admin {
    store: Store,
}

impl Admin {
    /// Connects to (and migrates) the database.
    pub async fn connect(database_url: &str) -> Result<Admin, DbErr> {
        Ok(Admin {
            store: Store::connect(database_url).await?,
        })
    }

    /// Creates an account and its owner (subscription active, quota unlimited).
    pub async fn create_account(
        &self,
        name: &str,
        email: &str,
    ) -> AdminResult<(AccountRow, UserRow)> {
        let (name, email) = (name.trim(), email.trim());
        if name.is_empty() || !email.contains('@') {
            return Err(AdminError::Invalid(
                "--name must not be empty and --email must be an email address".into(),
            ));
        }
        if self.store.user_by_email(email).await?.is_some() {
            return Err(AdminError::Invalid(format!(
                "a user with email {email} already exists"
            )));
        }
        Ok(self.store.create_account(name, email).await?)
    }

    /// Mints an account API token for the user (from the CSPRNG; only its hash is stored)
    /// and returns it: it is shown once.
    pub async fn create_token(&self, email: &str, name: &str) -> AdminResult<String> {
        let user = self.user(email).await?;
        let token = keys::new_account_token();
        let name = super::api_tokens::token_name(name)
            .map_err(|e| AdminError::Invalid(e.message.clone()))?;
        ApiTokenStore::insert_token(&self.store, user.id, name, &keys::hash_secret(&token)).await?;
        Ok(token)
    }

    /// Sets a user's dashboard password (Argon2id); the user's dashboard sessions end. The
    /// password is checked like the dashboard's own change (10 to 1024 characters).
    pub async fn set_password(&self, email: &str, password: &str) -> AdminResult<()> {
        let user = self.user(email).await?;
        super::dashboard::check_new_password(password, "password")
            .map_err(|e| AdminError::Invalid(e.message.replace('"', "")))?;
        let hash = super::dashboard::hash_password(password);
        DashboardStore::set_password(&self.store, user.id, &hash).await?;
        self.store.revoke_dashboard_sessions(user.id, None).await?;
        Ok(())
    }

    /// Revokes tokens; returns how many (at least one: none is [`AdminError::NotFound`]).
    pub async fn revoke_tokens(&self, which: Revoke<'_>) -> AdminResult<u64> {
        let n = match which {
            Revoke::Token(t) => {
                self.store
                    .revoke_token_by_hash(&keys::hash_secret(t.trim()))
                    .await?
            }
            Revoke::Named { email, name } => {
                let user = self.user(email).await?;
                self.store.revoke_tokens_by_name(user.id, name).await?
            }
        };
        match n {
            0 => Err(AdminError::NotFound("no active token matched".into())),
            n => Ok(n),
        }
    }

    pub async fn set_subscription(&self, account: i32, active: bool) -> AdminResult<()> {
        Self::found(account, self.store.set_subscription(account, active).await?)
    }

    /// Sets the monthly event quota (`None`: unlimited).
    pub async fn set_quota(&self, account: i32, monthly_events: Option<i64>) -> AdminResult<()> {
        Self::found(
            account,
            self.store.set_quota(account, monthly_events).await?,
        )
    }

    /// Puts the account on `plan`, with `features` (comma-separated, or `none`) replacing
    /// the plan's and `monthly_events` replacing its quota when given.
    pub async fn set_plan(
        &self,
        account: i32,
        plan: &str,
        features: Option<&str>,
        monthly_events: Option<Option<i64>>,
    ) -> AdminResult<PlanSet> {
        let Some(p) = plans::plan(plan) else {
            let names: Vec<&str> = plans::PLANS.iter().map(|p| p.name).collect();
            return Err(AdminError::Invalid(format!(
                "unknown plan {plan:?}; plans: {}",
                names.join(", ")
            )));
        };
        let features = match features.map(plans::parse_features) {
            None => None,
            Some(Ok(list)) => Some(list.join(",")),
            Some(Err(e)) => return Err(AdminError::Invalid(e)),
        };
        let quota = monthly_events.unwrap_or(p.monthly_events);
        Self::found(
            account,
            self.store
                .set_plan(account, p.name, features.as_deref(), quota)
                .await?,
        )?;
        Ok(PlanSet {
            plan: p.name,
            features: plans::FEATURES
                .iter()
                .copied()
                .filter(|f| plans::has_feature(p.name, features.as_deref(), f))
                .collect(),
            monthly_event_quota: quota,
        })
    }

    async fn user(&self, email: &str) -> AdminResult<UserRow> {
        self.store
            .user_by_email(email)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("no user with email {email}")))
    }

    fn found(account: i32, rows: u64) -> AdminResult<()> {
        match rows {
            0 => Err(AdminError::NotFound(format!("no account {account}"))),
            _ => Ok(()),
        }
    }
}

/// `botect migrate`: connects, which applies the migrations; returns the redacted URL.
pub async fn migrate(database_url: &str) -> Result<String, DbErr> {
    Store::connect(database_url).await?;
    Ok(redact(database_url))
}

/// The database URL without its password, for logs and messages.
pub fn redact(database_url: &str) -> String {
    store::redact(database_url)
}
