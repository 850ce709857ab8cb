//! Test harness: real `botect` processes on loopback ports over a real SQLite file or a
//! real PostgreSQL database, driven with the CLI, REST (reqwest) and gRPC clients.
//!
//! PostgreSQL tests need `BOTECT_TEST_PG_URL` (a superuser URL of a throwaway cluster, e.g.
//! `postgres://postgres@127.0.0.1:55432/postgres`); `scripts/test` starts one and sets it.
use std::{
    path::PathBuf,
    process::Stdio,
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

pub use serde_json;

pub mod php_sdk;
pub mod tls;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// A fresh database: a SQLite file in a temp dir, or a new PostgreSQL database.
pub struct TestDb {
    pub kind: DbKind,
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl TestDb {
    pub async fn new(kind: DbKind) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = match kind {
            DbKind::Sqlite => format!("sqlite://{}/botect.db", dir.path().display()),
            DbKind::Postgres => {
                let base = std::env::var("BOTECT_TEST_PG_URL").expect(
                    "BOTECT_TEST_PG_URL is not set: run scripts/test, which starts a throwaway PostgreSQL cluster",
                );
                let name = format!("botect_{}", uuid::Uuid::new_v4().simple());
                let admin = botect::store::Store::open(&base)
                    .await
                    .expect("connect to the test cluster");
                use sea_orm::ConnectionTrait;
                admin
                    .connection()
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                let (prefix, _) = base.rsplit_once('/').expect("database URL has a path");
                format!("{prefix}/{name}")
            }
        };
        TestDb { kind, url, dir }
    }

    /// Runs a CLI subcommand against this database; returns stdout (panics on failure).
    pub async fn cli(&self, args: &[&str]) -> String {
        let out = self.cli_raw(args).await;
        assert!(
            out.status.success(),
            "botect {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Runs a CLI subcommand with `stdin` as its standard input; returns its output.
    pub async fn cli_stdin(&self, args: &[&str], stdin: &str) -> std::process::Output {
        use tokio::io::AsyncWriteExt;
        let mut child = Command::new(botect_bin())
            .arg("--database-url")
            .arg(&self.url)
            .args(args)
            .env("BOTECT_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run botect");
        let mut input = child.stdin.take().expect("stdin");
        input
            .write_all(stdin.as_bytes())
            .await
            .expect("write stdin");
        drop(input);
        child.wait_with_output().await.expect("botect output")
    }

    pub async fn cli_raw(&self, args: &[&str]) -> std::process::Output {
        Command::new(botect_bin())
            .arg("--database-url")
            .arg(&self.url)
            .args(args)
            .env("BOTECT_LOG", "warn")
            .output()
            .await
            .expect("run botect")
    }
}

/// The `botect` binary: `BOTECT_BIN`, else `target/debug/botect` of this workspace, which
/// must be newer than every input of its build (`cargo test` does not rebuild it: a stale one
/// would test old code).
pub fn botect_bin() -> PathBuf {
    if let Ok(p) = std::env::var("BOTECT_BIN") {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let p = root.join("target/debug/botect");
    let built = std::fs::metadata(&p)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| {
            panic!(
                "{} is missing: run `cargo build -p botect` first (scripts/test does)",
                p.display()
            )
        });
    // What the binary was built from: cargo's dep-info next to it (so a test-only source
    // file, which the binary does not contain, never counts), else the source trees.
    let listed: Vec<PathBuf> = std::fs::read_to_string(root.join("target/debug/botect.d"))
        .ok()
        .and_then(|d| {
            d.split_once(": ")
                .map(|(_, deps)| deps.split_whitespace().map(PathBuf::from).collect())
        })
        .unwrap_or_default();
    let inputs: Vec<PathBuf> = if listed.is_empty() {
        [
            "server/src",
            "server/build.rs",
            "server/Cargo.toml",
            "server/data",
            "proto",
            "migrations",
            "clients/browser/dist",
            "Cargo.lock",
        ]
        .iter()
        .map(|i| root.join(i))
        .collect()
    } else {
        let mut l = listed;
        l.extend([root.join("Cargo.lock"), root.join("server/Cargo.toml")]);
        l
    };
    if let Some(newer) = inputs
        .iter()
        .filter_map(|i| newest_file(i))
        .filter(|(t, _)| *t > built)
        .max()
    {
        panic!(
            "{} is older than {}: run `cargo build -p botect` (scripts/test does)",
            p.display(),
            newer.1.display()
        );
    }
    p
}

/// The most recently modified file at or under `path`, with its time.
fn newest_file(path: &std::path::Path) -> Option<(std::time::SystemTime, PathBuf)> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return Some((meta.modified().ok()?, path.to_path_buf()));
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|e| newest_file(&e.ok()?.path()))
        .max()
}

/// A running `botect serve` process.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub addr: String,
}

impl Server {
    pub async fn start(db: &TestDb) -> Server {
        Self::start_with(db, &[]).await
    }

    pub async fn start_with(db: &TestDb, extra: &[&str]) -> Server {
        Self::start_logged(db, extra, "warn").await
    }

    /// Starts with `BOTECT_LOG=level`; the log goes to `server.log` in the database's dir.
    pub async fn start_logged(db: &TestDb, extra: &[&str], level: &str) -> Server {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(db.dir.path().join("server.log"))
            .expect("server log");
        let mut child = Command::new(botect_bin())
            .arg("--database-url")
            .arg(&db.url)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .env("BOTECT_LOG", level)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .expect("spawn botect serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let (scheme, addr) = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.expect("read stdout") {
                for scheme in ["http", "https"] {
                    if let Some(rest) =
                        line.strip_prefix(&format!("botect listening on {scheme}://"))
                    {
                        let addr = rest.split_whitespace().next().expect("address").to_string();
                        return (scheme, addr);
                    }
                }
            }
            panic!(
                "botect serve exited before listening; see {}",
                db.dir.path().join("server.log").display()
            );
        })
        .await
        .expect("server start timed out");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        // Over HTTPS by name, as the test certificate names `localhost`.
        let base = match scheme {
            "https" => format!(
                "https://localhost:{}",
                addr.rsplit(':').next().expect("port")
            ),
            _ => format!("http://{addr}"),
        };
        Server { child, base, addr }
    }

    /// Starts serving HTTPS with `ca`'s server certificate.
    pub async fn start_tls(db: &TestDb, ca: &tls::TestCa, extra: &[&str]) -> Server {
        let mut args: Vec<String> = ca.serve_args();
        args.extend(extra.iter().map(|a| a.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Self::start_with(db, &args).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGKILL: no shutdown hooks, no flushing.
    pub async fn kill9(mut self) {
        self.child.kill().await.expect("kill");
        let _ = self.child.wait().await;
    }
}

/// A client for the test servers: cleartext, or HTTPS trusting the test CAs made so far in
/// this process ([`tls::TestCa`]) besides the system's roots.
pub fn http() -> reqwest::Client {
    let mut b = reqwest::Client::builder().timeout(Duration::from_secs(30));
    for pem in tls::trusted() {
        b = b.add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).expect("CA"));
    }
    b.build().expect("client")
}

/// An account with a token, a project and scoring enabled.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub account_id: i64,
    pub token: String,
    pub project: i64,
    pub site_key: String,
    pub private_key: String,
}

/// Creates an account (CLI), a token (CLI), a project and enables scoring (REST).
pub async fn tenant(db: &TestDb, server: &Server, name: &str) -> Tenant {
    let email = format!(
        "{}@{}.test",
        uuid::Uuid::new_v4().simple(),
        name.to_lowercase().replace(' ', "-")
    );
    let created: Value = serde_json::from_str(
        &db.cli(&["account", "create", "--name", name, "--email", &email])
            .await,
    )
    .expect("account JSON");
    let token = db
        .cli(&["token", "create", "--email", &email, "--name", "tests"])
        .await
        .trim()
        .to_string();
    let c = http();
    let project: Value = c
        .post(server.url("/v1/projects"))
        .bearer_auth(&token)
        .json(&json!({"name": format!("{name} site")}))
        .send()
        .await
        .expect("create project")
        .json()
        .await
        .expect("project JSON");
    let project_id = project["id"].as_i64().expect("numeric project id");
    let enabled: Value = c
        .post(server.url(&format!("/v1/projects/{project_id}/scoring")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("enable scoring")
        .json()
        .await
        .expect("scoring JSON");
    Tenant {
        account_id: created["account"]["id"].as_i64().expect("account id"),
        token,
        project: project_id,
        site_key: enabled["site_key"].as_str().expect("site key").to_string(),
        private_key: enabled["private_key"]
            .as_str()
            .expect("private key")
            .to_string(),
    }
}

/// One ingest event.
pub fn event(request_id: &str, kind: &str, payload: Value) -> Value {
    json!({"request_id": request_id, "type": kind, "received_at": "2026-06-14T10:00:00Z", "payload": payload})
}

/// A unique request id.
pub fn rid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// POSTs a batch with the site key; returns (status, body).
pub async fn ingest(
    server: &Server,
    site_key: &str,
    session: Option<&str>,
    events: Vec<Value>,
) -> (u16, Value) {
    let r = http()
        .post(server.url("/v1/events"))
        .header("X-Botect-Site-Key", site_key)
        .json(&json!({"session_token": session, "events": events}))
        .send()
        .await
        .expect("ingest");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// GETs a verdict with the private key; returns (status, body).
pub async fn verdict(server: &Server, private_key: &str, session: &str) -> (u16, Value) {
    let r = http()
        .get(server.url(&format!("/v1/sessions/{session}/verdict")))
        .bearer_auth(private_key)
        .send()
        .await
        .expect("verdict");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Runs `check` every `every` until it returns `Ok`, and returns that value; past `deadline`
/// panics with `what` and the last `Err` (the state that was seen). The one way tests wait for
/// asynchronous effects: nothing waits without a deadline.
pub async fn eventually<T, E, F, Fut>(
    deadline: Duration,
    every: Duration,
    what: &str,
    mut check: F,
) -> T
where
    E: std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let start = Instant::now();
    loop {
        match check().await {
            Ok(v) => return v,
            Err(last) => assert!(
                start.elapsed() < deadline,
                "{what}: not within {deadline:?}; last seen: {last:?}"
            ),
        }
        tokio::time::sleep(every).await;
    }
}

/// How often [`eventually`] polls unless a caller needs otherwise.
pub const POLL: Duration = Duration::from_millis(50);

/// Polls the verdict until it satisfies `done` (rescoring is asynchronous), up to 20 s.
pub async fn verdict_until(
    server: &Server,
    private_key: &str,
    session: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    eventually(
        Duration::from_secs(20),
        POLL,
        &format!("the verdict of {session}"),
        || async {
            let (status, v) = verdict(server, private_key, session).await;
            assert_eq!(status, 200, "verdict read failed: {v}");
            if done(&v) { Ok(v) } else { Err(v) }
        },
    )
    .await
}

/// Polls the verdict until it is scored (not `not_computed`), up to 20 s.
pub async fn scored_verdict(server: &Server, private_key: &str, session: &str) -> Value {
    verdict_until(server, private_key, session, |v| {
        v["verdict"] != "not_computed"
    })
    .await
}

/// The fail-open body, byte for byte.
pub fn fail_open() -> Value {
    json!({"verdict":"not_computed","score":0,"action":"allow","detection_ids":[],"reason":"Score not available; allowing by default."})
}

/// Runs an async test body on SQLite and on PostgreSQL: `both_dbs!(name);` expects
/// `async fn name(db: TestDb)` in scope and generates `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both_dbs {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::TestDb::new($crate::DbKind::Sqlite).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::TestDb::new($crate::DbKind::Postgres).await).await
            }
        }
    )*};
}

/// Runs a write statement directly on the test database, bypassing the server (e.g. to age
/// rows); returns rows affected.
pub async fn sql_exec(db: &TestDb, sql: &str) -> u64 {
    use sea_orm::ConnectionTrait;
    let store = botect::store::Store::open(&db.url)
        .await
        .expect("open test database");
    let n = store
        .connection()
        .execute_unprepared(sql)
        .await
        .expect("statement")
        .rows_affected();
    store.connection().close_by_ref().await.ok();
    n
}

/// Runs a scalar SQL query (e.g. `SELECT COUNT(*) AS n FROM events`) directly on the
/// test database, bypassing the server. The column must be named `n`.
pub async fn sql_count(db: &TestDb, sql: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let store = botect::store::Store::open(&db.url)
        .await
        .expect("open test database");
    let stmt = sea_orm::Statement::from_string(store.backend(), sql.to_string());
    let row = store
        .connection()
        .query_one_raw(stmt)
        .await
        .expect("query")
        .expect("one row");
    let n: i64 = row.try_get("", "n").expect("column n");
    store.connection().close_by_ref().await.ok();
    n
}

/// Every value of the text column `v` of `sql`'s rows (NULLs left out).
pub async fn sql_texts(db: &TestDb, sql: &str) -> Vec<String> {
    use sea_orm::ConnectionTrait;
    let store = botect::store::Store::open(&db.url)
        .await
        .expect("open test database");
    let stmt = sea_orm::Statement::from_string(store.backend(), sql.to_string());
    let rows = store.connection().query_all_raw(stmt).await.expect("query");
    let out = rows
        .iter()
        .filter_map(|r| r.try_get::<Option<String>>("", "v").expect("column v"))
        .collect();
    store.connection().close_by_ref().await.ok();
    out
}

/// Sets toggles/threshold over REST; panics unless 200.
pub async fn settings(server: &Server, t: &Tenant, body: Value) -> Value {
    let r = http()
        .put(server.url(&format!("/v1/projects/{}/scoring/settings", t.project)))
        .bearer_auth(&t.token)
        .json(&body)
        .send()
        .await
        .expect("settings");
    assert_eq!(r.status(), 200);
    r.json().await.expect("settings JSON")
}

/// A desktop Chrome's user agent, sent by the browser-like helpers below.
pub const CHROME_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

/// The headers Chrome sends with the SDK's cross-origin `fetch` (to a loopback server).
pub const BROWSER_HEADERS: &[(&str, &str)] = &[
    ("user-agent", CHROME_UA),
    ("accept", "*/*"),
    ("accept-language", "en-US,en;q=0.9"),
    ("accept-encoding", "gzip, deflate, br"),
    ("origin", "http://shop.localhost:3000"),
    ("sec-fetch-mode", "cors"),
    ("sec-fetch-site", "cross-site"),
    ("sec-fetch-dest", "empty"),
    (
        "sec-ch-ua",
        "\"Chromium\";v=\"140\", \"Not=A?Brand\";v=\"24\", \"Google Chrome\";v=\"140\"",
    ),
    ("sec-ch-ua-mobile", "?0"),
    ("sec-ch-ua-platform", "\"Linux\""),
];

/// A request with [`BROWSER_HEADERS`].
pub fn browser_headers(rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    BROWSER_HEADERS
        .iter()
        .fold(rb, |rb, (k, v)| rb.header(*k, *v))
}

/// `POST /v1/challenges` with the site key and Chrome's headers; returns (status, body).
pub async fn challenge(server: &Server, site_key: &str) -> (u16, Value) {
    let r = browser_headers(http().post(server.url("/v1/challenges")))
        .header("X-Botect-Site-Key", site_key)
        .json(&json!({}))
        .send()
        .await
        .expect("challenge");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The `integrity` object solving a challenge response (natively, as a forger would).
pub fn solve(challenge: &Value) -> Value {
    let c = challenge["challenge"].as_str().expect("challenge string");
    let d = challenge["difficulty"].as_u64().expect("difficulty") as u32;
    json!({"challenge": c, "nonce": botect::integrity::solve(c, d).to_string()})
}

/// The events of a person's first SDK batch: the page, a clean probe and natural pointer
/// movement (the quickstart's mouse payload).
pub fn sdk_events() -> Vec<Value> {
    let mut events = sdk_page_and_probe();
    events.push(event(
        &rid(),
        "mouse",
        json!({"entropy": 0.74, "samples": 128}),
    ));
    events
}

/// The events the SDK sends on every page before any interaction: the page and a clean probe.
pub fn sdk_page_and_probe() -> Vec<Value> {
    vec![
        event(
            &rid(),
            "page",
            json!({"collector_version": "1.0.0", "page_path_hash": "9f86d081884c7d65", "page_path_shape": "/"}),
        ),
        event(
            &rid(),
            "js_probe",
            json!({"collector_version": "1.0.0", "webdriver": false, "headless": false, "plugins": [], "languages": ["en-US", "en"]}),
        ),
    ]
}

/// POSTs an ingest body as Chrome would (its headers, the site key); returns (status, body).
pub async fn browser_ingest(server: &Server, site_key: &str, body: Value) -> (u16, Value) {
    let r = browser_headers(http().post(server.url("/v1/events")))
        .header("X-Botect-Site-Key", site_key)
        .json(&body)
        .send()
        .await
        .expect("ingest");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Ingests `events` as the SDK in a person's Chrome does: on a new session (`None`) with a
/// challenge fetched and solved and the SDK's page and probe events added; on an existing
/// one as a later batch. Chrome's headers either way. Returns (status, body).
pub async fn sdk_ingest(
    server: &Server,
    site_key: &str,
    session: Option<&str>,
    events: Vec<Value>,
) -> (u16, Value) {
    let body = match session {
        Some(s) => json!({"session_token": s, "events": events}),
        None => {
            let (status, ch) = challenge(server, site_key).await;
            assert_eq!(status, 200, "challenge: {ch}");
            let mut all = sdk_page_and_probe();
            all.extend(events);
            json!({"session_token": null, "events": all, "integrity": solve(&ch)})
        }
    };
    browser_ingest(server, site_key, body).await
}

/// A session that passes the evidence gate like a person's browser ([`sdk_ingest`] of the
/// quickstart's mouse event). Returns its token; its settled verdict is the published
/// `likely_human` 87.
pub async fn human_session(server: &Server, site_key: &str) -> String {
    let (status, ack) = sdk_ingest(
        server,
        site_key,
        None,
        vec![event(
            &rid(),
            "mouse",
            json!({"entropy": 0.74, "samples": 128}),
        )],
    )
    .await;
    assert_eq!(status, 202, "ingest: {ack}");
    ack["session_token"]
        .as_str()
        .expect("session token")
        .to_string()
}

/// PostgreSQL only: takes the test database away from every process (new connections
/// refused, open ones ended), or (`allow`) gives it back.
pub async fn pg_connections(db: &TestDb, allow: bool) {
    use sea_orm::ConnectionTrait;
    let name = db
        .url
        .rsplit('/')
        .next()
        .expect("database name")
        .to_string();
    let admin = botect::store::Store::open(
        &std::env::var("BOTECT_TEST_PG_URL").expect("BOTECT_TEST_PG_URL"),
    )
    .await
    .expect("connect to the test cluster");
    let conn = admin.connection();
    conn.execute_unprepared(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS {allow}"))
        .await
        .expect("ALTER DATABASE");
    if !allow {
        conn.execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .await
        .expect("terminate backends");
    }
    conn.close_by_ref().await.ok();
}

/// Three scored sessions, oldest first: a person's (`likely_human` 87), a headless browser's
/// (`definite`), and events posted by hand without the SDK (`likely_automated` 4).
pub async fn three_banded_sessions(server: &Server, t: &Tenant) -> [&'static str; 3] {
    let human = human_session(server, &t.site_key).await;
    let (_, ack) = ingest(
        server,
        &t.site_key,
        None,
        vec![
            event(&rid(), "page", json!({"page_path_hash": "ab12"})),
            event(
                &rid(),
                "js_probe",
                json!({"webdriver": true, "headless": true, "headless_ua": true, "plugins": []}),
            ),
        ],
    )
    .await;
    let headless = ack["session_token"].as_str().unwrap().to_string();
    let (_, ack) = ingest(
        server,
        &t.site_key,
        None,
        vec![event(
            &rid(),
            "mouse",
            json!({"entropy": 0.74, "samples": 128}),
        )],
    )
    .await;
    let by_hand = ack["session_token"].as_str().unwrap().to_string();
    // 'static for the comparisons of the tests.
    let sessions = [human, headless, by_hand].map(|s| &*String::leak(s));
    for (s, band) in sessions
        .iter()
        .zip(["likely_human", "definite", "likely_automated"])
    {
        assert_eq!(
            scored_verdict(server, &t.private_key, s).await["verdict"],
            band
        );
    }
    sessions
}
