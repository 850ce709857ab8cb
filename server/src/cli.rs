//! The operator CLI: `botect serve`, `migrate`, and account/token/subscription/quota
//! administration. Every subcommand takes the same database options as `serve`.
use std::{net::SocketAddr, process::ExitCode, time::Duration};

use clap::{Args, Parser, Subcommand};
use serde_json::json;

use crate::{
    core::{keys, plans},
    server::{self, ServerConfig},
    store::{self, Store},
};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./botect.db";

#[derive(Parser, Debug)]
#[command(
    name = "botect",
    version,
    about = "Botect: self-hosted bot detection (gRPC, gRPC-web and REST on one port)"
)]
pub struct Cli {
    /// Database URL: sqlite://PATH (created on first start) or postgres://USER:PASS@HOST/DB.
    #[arg(long, global = true, env = "BOTECT_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Runs the server (migrating the database first).
    Serve(ServeArgs),
    /// Applies pending database migrations and exits.
    Migrate,
    /// Accounts.
    #[command(subcommand)]
    Account(AccountCmd),
    /// Account API tokens.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Subscriptions.
    #[command(subcommand)]
    Subscription(SubscriptionCmd),
    /// Monthly ingest quotas.
    #[command(subcommand)]
    Quota(QuotaCmd),
    /// Plans and their features.
    #[command(subcommand)]
    Plan(PlanCmd),
}

#[derive(Subcommand, Debug)]
pub enum PlanCmd {
    /// Lists the built-in plans with their features and default quotas (JSON).
    List,
    /// Puts an account on a plan. The quota becomes the plan's default unless
    /// --monthly-events is given; --features overrides the plan's features.
    Set {
        #[arg(long, allow_negative_numbers = true)]
        account: i32,
        /// free, pro, enterprise or self-hosted (`botect plan list`).
        #[arg(long)]
        plan: String,
        /// Comma-separated features replacing the plan's ("none" for no features).
        #[arg(long)]
        features: Option<String>,
        #[arg(long, value_parser = parse_quota, allow_negative_numbers = true)]
        monthly_events: Option<Quota>,
    },
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (gRPC, gRPC-web and REST share it).
    #[arg(long, env = "BOTECT_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Largest accepted request body in bytes (REST 413 / gRPC RESOURCE_EXHAUSTED above it).
    #[arg(long, env = "BOTECT_MAX_BODY_BYTES", default_value_t = 1 << 20)]
    pub max_body_bytes: usize,
    /// Scoring workers (0: this process only ingests and reads; others sharing the database score).
    #[arg(long, env = "BOTECT_WORKERS", default_value_t = 8)]
    pub workers: usize,
    /// Upper bound of a verdict read's store access before it fails open, in milliseconds.
    #[arg(long, env = "BOTECT_VERDICT_TIMEOUT_MS", default_value_t = 300)]
    pub verdict_timeout_ms: u64,
    /// Longest an ingest batch waits for the database (a busy or locked store) before it is
    /// answered 503, in milliseconds.
    #[arg(long, env = "BOTECT_INGEST_TIMEOUT_MS", default_value_t = 5000)]
    pub ingest_timeout_ms: u64,
    /// Most ingest batches on the write path at once; a batch beyond it is shed at once
    /// (204, nothing stored; docs/operations.md#overload).
    #[arg(long, env = "BOTECT_MAX_PENDING_INGEST", default_value_t = crate::core::DEFAULT_MAX_PENDING_INGEST,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub max_pending_ingest: usize,
    /// Verified-bot catalogue (JSON, docs/verified-bots.md); default: the one shipped.
    #[arg(long, env = "BOTECT_VERIFIED_BOTS")]
    pub verified_bots: Option<std::path::PathBuf>,
    /// DNS server(s) for verified-bot reverse/forward lookups, e.g. 127.0.0.1:53 (repeat or
    /// comma-separate); default: the system's resolver configuration.
    #[arg(long, env = "BOTECT_DNS_SERVER", value_delimiter = ',')]
    pub dns_server: Vec<SocketAddr>,
}

#[derive(Subcommand, Debug)]
pub enum AccountCmd {
    /// Creates an account and its owner user (subscription active, quota unlimited); prints JSON.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// Creates an account API token for the user; prints only the token (shown once).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Revokes tokens: by user and token name, or by the token itself.
    Revoke {
        #[arg(long, requires = "name", conflicts_with = "token")]
        email: Option<String>,
        #[arg(long, requires = "email")]
        name: Option<String>,
        /// The token (read from the argument; it is hashed, never stored).
        #[arg(long)]
        token: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum SubscriptionCmd {
    /// Activates or deactivates an account's subscription.
    Set {
        #[arg(long)]
        account: i32,
        #[arg(long, action = clap::ArgAction::Set)]
        active: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum QuotaCmd {
    /// Sets the monthly ingest quota in events ("unlimited" removes it).
    Set {
        #[arg(long)]
        account: i32,
        // Negative numbers reach parse_quota, whose message says why they are refused.
        #[arg(long, value_parser = parse_quota, allow_negative_numbers = true)]
        monthly_events: Quota,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct Quota(pub Option<i64>);

fn parse_quota(s: &str) -> Result<Quota, String> {
    if s.eq_ignore_ascii_case("unlimited") {
        return Ok(Quota(None));
    }
    s.parse::<i64>()
        .ok()
        .filter(|n| *n >= 0)
        .map(|n| Quota(Some(n)))
        .ok_or_else(|| {
            format!("expected a non-negative number of events or \"unlimited\", got {s:?}")
        })
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("botect: {msg}");
    ExitCode::FAILURE
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BOTECT_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm_migration=warn".into()),
        )
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(e),
    };
    rt.block_on(run(cli))
}

async fn run(cli: Cli) -> ExitCode {
    let url = cli.database_url.clone();
    match cli.command {
        Command::Serve(a) => {
            let cfg = ServerConfig {
                listen: a.listen,
                database_url: url,
                max_body_bytes: a.max_body_bytes,
                workers: a.workers,
                verdict_timeout: Duration::from_millis(a.verdict_timeout_ms),
                ingest_timeout: Duration::from_millis(a.ingest_timeout_ms),
                max_pending_ingest: a.max_pending_ingest,
                verified_bots: a.verified_bots,
                dns_servers: a.dns_server,
            };
            let running = match server::start(cfg.clone()).await {
                Ok(r) => r,
                Err(e) => return fail(e),
            };
            println!(
                "botect listening on http://{} (database {})",
                running.addr,
                store::redact(&cfg.database_url)
            );
            match running.handle.await {
                Ok(Ok(())) => ExitCode::SUCCESS,
                Ok(Err(e)) => fail(e),
                Err(e) => fail(e),
            }
        }
        Command::Migrate => match Store::connect(&url).await {
            Ok(_) => {
                println!("migrations applied to {}", store::redact(&url));
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        other => {
            let store = match Store::connect(&url).await {
                Ok(s) => s,
                Err(e) => return fail(e),
            };
            admin(&store, other).await
        }
    }
}

async fn admin(store: &Store, cmd: Command) -> ExitCode {
    match cmd {
        Command::Account(AccountCmd::Create { name, email }) => {
            if name.trim().is_empty() || !email.contains('@') {
                return fail("--name must not be empty and --email must be an email address");
            }
            if let Ok(Some(_)) = store.user_by_email(&email).await {
                return fail(format!("a user with email {email} already exists"));
            }
            match store.create_account(name.trim(), email.trim()).await {
                Ok((a, u)) => {
                    let out = json!({
                        "account": {"id": a.id, "name": a.name, "slug": a.slug, "subscription_active": a.subscription_active,
                                    "monthly_event_quota": a.monthly_event_quota},
                        "user": {"id": u.id, "name": u.name, "email": u.email, "role": u.role},
                    });
                    println!("{out}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Token(TokenCmd::Create { email, name }) => {
            let user = match store.user_by_email(&email).await {
                Ok(Some(u)) => u,
                Ok(None) => return fail(format!("no user with email {email}")),
                Err(e) => return fail(e),
            };
            let token = keys::new_account_token();
            match store
                .insert_token(user.id, &name, &keys::hash_secret(&token))
                .await
            {
                Ok(_) => {
                    println!("{token}");
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Token(TokenCmd::Revoke { email, name, token }) => {
            let n = match (email, name, token) {
                (_, _, Some(t)) => {
                    store
                        .revoke_token_by_hash(&keys::hash_secret(t.trim()))
                        .await
                }
                (Some(email), Some(name), None) => match store.user_by_email(&email).await {
                    Ok(Some(u)) => store.revoke_tokens_by_name(u.id, &name).await,
                    Ok(None) => return fail(format!("no user with email {email}")),
                    Err(e) => return fail(e),
                },
                _ => return fail("give --email and --name, or --token"),
            };
            match n {
                Ok(0) => fail("no active token matched"),
                Ok(n) => {
                    println!("{}", json!({"revoked": n}));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Subscription(SubscriptionCmd::Set { account, active }) => {
            match store.set_subscription(account, active).await {
                Ok(0) => fail(format!("no account {account}")),
                Ok(_) => {
                    println!(
                        "{}",
                        json!({"account": account, "subscription_active": active})
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Quota(QuotaCmd::Set {
            account,
            monthly_events,
        }) => match store.set_quota(account, monthly_events.0).await {
            Ok(0) => fail(format!("no account {account}")),
            Ok(_) => {
                println!(
                    "{}",
                    json!({"account": account, "monthly_event_quota": monthly_events.0})
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Command::Plan(PlanCmd::List) => {
            let plans: Vec<_> = plans::PLANS
                .iter()
                .map(|p| json!({"plan": p.name, "features": p.features, "monthly_events": p.monthly_events}))
                .collect();
            println!("{}", json!(plans));
            ExitCode::SUCCESS
        }
        Command::Plan(PlanCmd::Set {
            account,
            plan,
            features,
            monthly_events,
        }) => {
            let Some(p) = plans::plan(&plan) else {
                let names: Vec<&str> = plans::PLANS.iter().map(|p| p.name).collect();
                return fail(format!(
                    "unknown plan {plan:?}; plans: {}",
                    names.join(", ")
                ));
            };
            let features = match features.as_deref().map(plans::parse_features) {
                None => None,
                Some(Ok(list)) => Some(list.join(",")),
                Some(Err(e)) => return fail(e),
            };
            let quota = monthly_events.map_or(p.monthly_events, |q| q.0);
            match store
                .set_plan(account, p.name, features.as_deref(), quota)
                .await
            {
                Ok(0) => fail(format!("no account {account}")),
                Ok(_) => {
                    let effective: Vec<&str> = plans::FEATURES
                        .iter()
                        .copied()
                        .filter(|f| plans::has_feature(p.name, features.as_deref(), f))
                        .collect();
                    println!(
                        "{}",
                        json!({"account": account, "plan": p.name, "features": effective, "monthly_event_quota": quota})
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => fail(e),
            }
        }
        Command::Serve(_) | Command::Migrate => unreachable!("handled by run"),
    }
}
