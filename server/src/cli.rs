//! The operator CLI: `botect serve`, `migrate`, and account/token/subscription/quota
//! administration. Every subcommand takes the same database options as `serve`.
use std::{net::SocketAddr, process::ExitCode, time::Duration};

use clap::{Args, Parser, Subcommand};
use serde_json::json;

use crate::{
    core::{
        admin::{self, Admin, Revoke},
        plans,
    },
    server::{self, ServerConfig},
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
    Serve(Box<ServeArgs>),
    /// Applies pending database migrations and exits.
    Migrate,
    /// Accounts.
    #[command(subcommand)]
    Account(AccountCmd),
    /// Account API tokens.
    #[command(subcommand)]
    Token(TokenCmd),
    /// Users' dashboard passwords.
    #[command(subcommand)]
    User(UserCmd),
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
    /// Most verdicts kept in memory on a SQLite database, exact through the change stamps
    /// every commit bumps (0: every verdict reads the database; docs/operations.md#verdict-cache).
    #[arg(long, env = "BOTECT_VERDICT_CACHE_ENTRIES", default_value_t = crate::core::verdict_cache::DEFAULT_ENTRIES,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=10_000_000))]
    pub verdict_cache_entries: usize,
    /// Verified-bot catalogue (JSON, docs/verified-bots.md); default: the one shipped.
    #[arg(long, env = "BOTECT_VERIFIED_BOTS")]
    pub verified_bots: Option<std::path::PathBuf>,
    /// DNS server(s) for verified-bot reverse/forward lookups, e.g. 127.0.0.1:53 (repeat or
    /// comma-separate); default: the system's resolver configuration.
    #[arg(long, env = "BOTECT_DNS_SERVER", value_delimiter = ',')]
    pub dns_server: Vec<SocketAddr>,
    /// Days a session (with its events and requests) is kept after it was last seen; 0 keeps
    /// everything. Hourly stats roll-ups are kept regardless.
    #[arg(long, env = "BOTECT_RETENTION_DAYS", default_value_t = crate::core::retention::DEFAULT_RETENTION_DAYS)]
    pub retention_days: u32,
    /// Serves Prometheus metrics at `http://ADDR/metrics` (e.g. `127.0.0.1:9090`); off by
    /// default. Bind it to an address only your monitoring reaches: it has no authentication.
    #[arg(long, env = "BOTECT_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Botect is reached through HTTPS (a TLS-terminating proxy in front of it): the
    /// dashboard's session cookie gets `Secure`.
    #[arg(long, env = "BOTECT_BEHIND_TLS")]
    pub behind_tls: bool,
    /// Serves HTTPS itself with this PEM certificate chain (leaf first), on the same port for
    /// gRPC, gRPC-web and REST over HTTP/2 and HTTP/1.1; reloaded on SIGHUP. Needs --tls-key.
    #[arg(long, env = "BOTECT_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The PEM private key (PKCS#8, PKCS#1 or SEC1) of --tls-cert; reloaded with it.
    #[arg(long, env = "BOTECT_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
    /// A proxy network (CIDR, or one address) whose connections' `X-Forwarded-For` /
    /// `Forwarded` name the client, and whose `--ja4-header` gives its JA4; repeat or
    /// comma-separate. From anyone else those headers are ignored.
    #[arg(long = "trusted-proxy", env = "BOTECT_TRUSTED_PROXY", value_delimiter = ',', value_parser = parse_net)]
    pub trusted_proxy: Vec<ipnet::IpNet>,
    /// The header a trusted proxy (your CDN or load balancer) puts the client's JA4
    /// fingerprint in, e.g. `X-JA4`.
    #[arg(long, env = "BOTECT_JA4_HEADER", value_parser = parse_header_name)]
    pub ja4_header: Option<http::HeaderName>,
}

/// A CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a single address.
fn parse_net(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map(|n| n.trunc())
        .map_err(|_| format!("\"{s}\" is not a CIDR such as 10.0.0.0/8 or an IP address"))
}

fn parse_header_name(s: &str) -> Result<http::HeaderName, String> {
    http::HeaderName::from_bytes(s.trim().as_bytes())
        .map_err(|_| format!("\"{s}\" is not an HTTP header name"))
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
pub enum UserCmd {
    /// Sets the user's dashboard password, read from standard input (one trailing newline
    /// is dropped), e.g. `printf '%s' "$PASSWORD" | botect user set-password --email E`.
    /// Stored as Argon2id; the user's dashboard sessions end.
    SetPassword {
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
        /// The token (read from the argument; it is hashed, never stored). Tokens are
        /// base64url and may begin with `-`: `--token -abc…` is taken as the value.
        #[arg(long, allow_hyphen_values = true)]
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
                verdict_cache_entries: a.verdict_cache_entries,
                verified_bots: a.verified_bots,
                dns_servers: a.dns_server,
                retention_days: a.retention_days,
                metrics_listen: a.metrics_listen,
                behind_tls: a.behind_tls,
                tls: match (a.tls_cert, a.tls_key) {
                    (Some(cert), Some(key)) => Some(crate::transport::tls::TlsFiles { cert, key }),
                    _ => None,
                },
                proxies: crate::transport::client_address::TrustedProxies {
                    nets: a.trusted_proxy,
                    ja4_header: a.ja4_header,
                },
            };
            let running = match server::start(cfg.clone()).await {
                Ok(r) => r,
                Err(e) => return fail(e),
            };
            println!(
                "botect listening on {}://{} (database {})",
                if cfg.tls.is_some() { "https" } else { "http" },
                running.addr,
                admin::redact(&cfg.database_url)
            );
            if let Some(m) = running.metrics_addr {
                println!("botect metrics on http://{m}/metrics");
            }
            match running.handle.await {
                Ok(Ok(())) => ExitCode::SUCCESS,
                Ok(Err(e)) => fail(e),
                Err(e) => fail(e),
            }
        }
        Command::Migrate => match admin::migrate(&url).await {
            Ok(redacted) => {
                println!("migrations applied to {redacted}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        other => match Admin::connect(&url).await {
            Ok(a) => admin(&a, other).await,
            Err(e) => fail(e),
        },
    }
}

async fn admin(admin: &Admin, cmd: Command) -> ExitCode {
    let out = match cmd {
        Command::Account(AccountCmd::Create { name, email }) => {
            admin.create_account(&name, &email).await.map(|(a, u)| {
                json!({
                    "account": {"id": a.id, "name": a.name, "slug": a.slug, "subscription_active": a.subscription_active,
                                "monthly_event_quota": a.monthly_event_quota},
                    "user": {"id": u.id, "name": u.name, "email": u.email, "role": u.role},
                })
                .to_string()
            })
        }
        // Only the token: it is shown once.
        Command::Token(TokenCmd::Create { email, name }) => admin.create_token(&email, &name).await,
        Command::User(UserCmd::SetPassword { email }) => {
            let mut password = String::new();
            if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut password) {
                return fail(format!("cannot read the password from standard input: {e}"));
            }
            let password = password
                .strip_suffix('\n')
                .map(|p| p.strip_suffix('\r').unwrap_or(p))
                .unwrap_or(&password);
            admin
                .set_password(&email, password)
                .await
                .map(|()| json!({"email": email.to_lowercase(), "password_set": true}).to_string())
        }
        Command::Token(TokenCmd::Revoke { email, name, token }) => {
            let which = match (&email, &name, &token) {
                (_, _, Some(t)) => Revoke::Token(t),
                (Some(email), Some(name), None) => Revoke::Named { email, name },
                _ => return fail("give --email and --name, or --token"),
            };
            admin
                .revoke_tokens(which)
                .await
                .map(|n| json!({"revoked": n}).to_string())
        }
        Command::Subscription(SubscriptionCmd::Set { account, active }) => admin
            .set_subscription(account, active)
            .await
            .map(|()| json!({"account": account, "subscription_active": active}).to_string()),
        Command::Quota(QuotaCmd::Set {
            account,
            monthly_events,
        }) => admin.set_quota(account, monthly_events.0).await.map(|()| {
            json!({"account": account, "monthly_event_quota": monthly_events.0}).to_string()
        }),
        Command::Plan(PlanCmd::List) => {
            let plans: Vec<_> = plans::PLANS
                .iter()
                .map(|p| json!({"plan": p.name, "features": p.features, "monthly_events": p.monthly_events}))
                .collect();
            Ok(json!(plans).to_string())
        }
        Command::Plan(PlanCmd::Set {
            account,
            plan,
            features,
            monthly_events,
        }) => admin
            .set_plan(account, &plan, features.as_deref(), monthly_events.map(|q| q.0))
            .await
            .map(|p| {
                json!({"account": account, "plan": p.plan, "features": p.features,
                       "monthly_event_quota": p.monthly_event_quota})
                .to_string()
            }),
        Command::Serve(_) | Command::Migrate => unreachable!("handled by run"),
    };
    match out {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
