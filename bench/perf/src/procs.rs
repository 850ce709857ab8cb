//! Processes and databases: fresh SQLite/PostgreSQL databases, `botect serve` and the
//! baseline server (this binary's hidden `baseline-server` subcommand), tenant setup.
use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use anyhow::{Context, Result, anyhow, bail, ensure};
use botect::store::Store;
use botect_client::pb;
use bytes::Bytes;
use http::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

use crate::clients::Http1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// A fresh database: a SQLite file in a temp dir, or a new PostgreSQL database (dropped by
/// [`Db::remove`]). The temp dir also holds the server's log.
pub struct Db {
    pub backend: Backend,
    pub url: String,
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl Db {
    pub async fn fresh(backend: Backend, pg_url: Option<&str>) -> Result<Db> {
        let dir = tempfile::Builder::new().prefix("botect-bench").tempdir()?;
        match backend {
            Backend::Sqlite => Ok(Db {
                backend,
                url: format!("sqlite://{}/botect.db", dir.path().display()),
                dir,
                pg: None,
            }),
            Backend::Postgres => {
                let base = pg_url.ok_or_else(|| anyhow!("no --pg-url"))?;
                let name = format!("botect_bench_{}", uuid::Uuid::new_v4().simple());
                exec(base, &format!("CREATE DATABASE {name}")).await?;
                let (prefix, _) = base
                    .rsplit_once('/')
                    .ok_or_else(|| anyhow!("database URL has no path"))?;
                Ok(Db {
                    backend,
                    url: format!("{prefix}/{name}"),
                    dir,
                    pg: Some((base.to_string(), name)),
                })
            }
        }
    }

    /// Drops the PostgreSQL database (the temp dir goes with `self`).
    pub async fn remove(self) -> Result<()> {
        if let Some((base, name)) = &self.pg {
            exec(base, &format!("DROP DATABASE {name} WITH (FORCE)")).await?;
        }
        Ok(())
    }

    /// Size of the SQLite database file plus its WAL, in bytes.
    pub fn sqlite_bytes(&self) -> u64 {
        ["botect.db", "botect.db-wal"]
            .iter()
            .filter_map(|f| std::fs::metadata(self.dir.path().join(f)).ok())
            .map(|m| m.len())
            .sum()
    }

    /// Runs `botect --database-url URL ARGS…`; returns stdout.
    pub async fn cli(&self, bin: &Path, args: &[&str]) -> Result<String> {
        let out = Command::new(bin)
            .arg("--database-url")
            .arg(&self.url)
            .args(args)
            .env("BOTECT_LOG", "warn")
            .output()
            .await
            .with_context(|| format!("run {}", bin.display()))?;
        ensure!(
            out.status.success(),
            "botect {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(String::from_utf8(out.stdout)?)
    }

    pub async fn count(&self, sql: &str) -> Result<i64> {
        scalar(&self.url, sql).await
    }
}

async fn exec(url: &str, sql: &str) -> Result<()> {
    let store = Store::open(url).await?;
    store.connection().execute_unprepared(sql).await?;
    store.connection().close_by_ref().await?;
    Ok(())
}

/// One integer or text value (`SELECT … AS n`), as a string.
pub async fn scalar_text(url: &str, sql: &str) -> Result<String> {
    let store = Store::open(url).await?;
    let stmt = Statement::from_string(store.backend(), sql.to_string());
    let row = store
        .connection()
        .query_one_raw(stmt)
        .await?
        .ok_or_else(|| anyhow!("no row from {sql}"))?;
    let v = row
        .try_get::<String>("", "n")
        .or_else(|_| row.try_get::<i64>("", "n").map(|n| n.to_string()))?;
    store.connection().close_by_ref().await?;
    Ok(v)
}

pub async fn scalar(url: &str, sql: &str) -> Result<i64> {
    Ok(scalar_text(url, sql).await?.parse()?)
}

/// A running server process (killed on drop).
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Server {
    /// `botect --database-url URL serve --listen 127.0.0.1:0` (default workers), log in the db dir.
    pub async fn botect(bin: &Path, db: &Db) -> Result<Server> {
        Self::botect_with(bin, db, &[]).await
    }

    /// [`Server::botect`] with more `serve` flags.
    pub async fn botect_with(bin: &Path, db: &Db, extra: &[&str]) -> Result<Server> {
        let mut cmd = Command::new(bin);
        cmd.arg("--database-url")
            .arg(&db.url)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra);
        Self::spawn(cmd, &db.dir.path().join("server.log")).await
    }

    /// The baseline: this binary's `baseline-server`, answering `verdict_json` (REST) and
    /// the same message (gRPC).
    pub async fn baseline(verdict_json: &[u8], log: &Path) -> Result<Server> {
        let mut cmd = Command::new(std::env::current_exe()?);
        cmd.arg("baseline-server")
            .env(VERDICT_ENV, std::str::from_utf8(verdict_json)?);
        Self::spawn(cmd, log).await
    }

    async fn spawn(mut cmd: Command, log: &Path) -> Result<Server> {
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        let mut child = cmd
            .env("BOTECT_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .kill_on_drop(true)
            .spawn()
            .context("spawn server")?;
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let addr = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await? {
                if let Some((_, rest)) = line.split_once("listening on http://") {
                    return Ok(rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_string());
                }
            }
            bail!("server exited before listening; see {}", log.display())
        })
        .await
        .context("server start timed out")??;
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Server { child, addr })
    }

    /// VmRSS of the process, in bytes.
    pub fn rss_bytes(&self) -> Result<u64> {
        let pid = self.child.id().ok_or_else(|| anyhow!("server exited"))?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let kb = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .ok_or_else(|| anyhow!("no VmRSS"))?;
        Ok(kb.parse::<u64>()? * 1024)
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// A project with scoring enabled.
pub struct Tenant {
    /// The account API token (control plane).
    pub token: String,
    pub project: i64,
    pub site_key: String,
    pub private_key: String,
}

/// Account and token (CLI), project and scoring (REST), as in tests/src/lib.rs.
pub async fn tenant(bin: &Path, db: &Db, server: &Server) -> Result<Tenant> {
    let email = format!("{}@bench.test", uuid::Uuid::new_v4().simple());
    db.cli(
        bin,
        &["account", "create", "--name", "Bench", "--email", &email],
    )
    .await?;
    let token = db
        .cli(
            bin,
            &["token", "create", "--email", &email, "--name", "bench"],
        )
        .await?
        .trim()
        .to_string();
    let auth = format!("Bearer {token}");
    let mut http = Http1::connect(&server.addr).await?;
    let mut post = async |path: &str, body: &'static str, want: StatusCode| -> Result<Value> {
        let (status, resp) = http
            .send(
                Method::POST,
                path,
                &[
                    ("authorization", &auth),
                    ("content-type", "application/json"),
                ],
                Bytes::from_static(body.as_bytes()),
            )
            .await?;
        ensure!(
            status == want,
            "POST {path}: HTTP {status}: {}",
            String::from_utf8_lossy(&resp)
        );
        Ok(serde_json::from_slice(&resp)?)
    };
    let project = post("/v1/projects", r#"{"name":"bench"}"#, StatusCode::CREATED).await?;
    let id = project["id"]
        .as_i64()
        .ok_or_else(|| anyhow!("project id"))?;
    let scoring = post(&format!("/v1/projects/{id}/scoring"), "", StatusCode::OK).await?;
    let key = |k: &str| {
        scoring[k]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("no {k} in {scoring}"))
    };
    Ok(Tenant {
        token: token.clone(),
        project: id,
        site_key: key("site_key")?,
        private_key: key("private_key")?,
    })
}

/// The baseline's canned verdict (the real server's JSON body).
const VERDICT_ENV: &str = "BOTECT_BENCH_VERDICT_JSON";

/// A bare tonic `VerdictService` answering one fixed message.
struct FixedVerdict(pb::SessionVerdict);

#[tonic::async_trait]
impl pb::verdict_service_server::VerdictService for FixedVerdict {
    async fn get_verdict(
        &self,
        _: tonic::Request<pb::GetVerdictRequest>,
    ) -> Result<tonic::Response<pb::SessionVerdict>, tonic::Status> {
        Ok(tonic::Response::new(self.0.clone()))
    }

    /// Not part of the baseline's load.
    async fn assert_logged_in(
        &self,
        _: tonic::Request<pb::AssertLoggedInRequest>,
    ) -> Result<tonic::Response<pb::LoggedInAssertion>, tonic::Status> {
        Err(tonic::Status::unimplemented(
            "the baseline serves verdicts only",
        ))
    }
}

/// `botect-bench baseline-server`: the HTTP stack's limit. Bare axum REST handler and bare
/// tonic service on one port, answering the canned verdict without any work.
pub async fn baseline_server() -> Result<()> {
    let json = std::env::var(VERDICT_ENV).with_context(|| format!("{VERDICT_ENV} is not set"))?;
    let msg: pb::SessionVerdict = serde_json::from_str(&json)?;
    let body = Bytes::from(json);
    let rest = axum::Router::new().route(
        "/v1/sessions/{token}/verdict",
        axum::routing::get(move || {
            let body = body.clone();
            async move { ([(http::header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let app = tonic::service::Routes::new(pb::verdict_service_server::VerdictServiceServer::new(
        FixedVerdict(msg),
    ))
    .into_axum_router()
    .merge(rest);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("baseline listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// The `botect` next to this binary.
pub fn default_botect_bin() -> Result<PathBuf> {
    Ok(std::env::current_exe()?.with_file_name("botect"))
}
