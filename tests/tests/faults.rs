//! Faults an operator meets: the SQLite file deleted or replaced under a running server, and
//! PostgreSQL refusing connections. Health (gRPC and `/readyz`) turns NOT_SERVING within
//! 10 s and back when the store recovers; ingest never acknowledges a batch the database
//! does not hold.
use std::time::{Duration, Instant};

use botect_tests::{DbKind, Server, TestDb, event, http, ingest, rid, serde_json, tenant};
use serde_json::{Value, json};
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

/// `/readyz`'s status and the gRPC health of IngestService, once both agree on `ready`
/// (polled for up to 12 s: the probe runs every 5 s).
async fn wait_health(server: &Server, ready: bool) {
    let channel = tonic::transport::Endpoint::from_shared(server.base.clone())
        .unwrap()
        .connect()
        .await
        .expect("connect");
    let health = HealthClient::new(channel);
    let want = if ready {
        ServingStatus::Serving
    } else {
        ServingStatus::NotServing
    };
    botect_tests::eventually(
        Duration::from_secs(12),
        Duration::from_millis(200),
        &format!("health {want:?}"),
        || {
            let mut health = health.clone();
            async move {
                let r = http().get(server.url("/readyz")).send().await.unwrap();
                let status = r.status().as_u16();
                let body: Value = r.json().await.unwrap();
                let grpc = health
                    .check(HealthCheckRequest {
                        service: "botect.v1.IngestService".into(),
                    })
                    .await
                    .expect("Health/Check")
                    .into_inner()
                    .status();
                if (status == 200) != ready || grpc != want {
                    return Err(format!("/readyz {status} {body}, gRPC {grpc:?}"));
                }
                if !ready {
                    assert_eq!(status, 503);
                    assert_eq!(body["code"], "UNAVAILABLE", "{body}");
                }
                Ok(())
            }
        },
    )
    .await
}

fn sqlite_files(db: &TestDb) -> Vec<std::path::PathBuf> {
    ["botect.db", "botect.db-wal", "botect.db-shm"]
        .iter()
        .map(|f| db.dir.path().join(f))
        .collect()
}

/// One `page` event on a new session; returns (status, body).
async fn page_view(server: &Server, t: &botect_tests::Tenant) -> (u16, Value) {
    ingest(
        server,
        &t.site_key,
        None,
        vec![event(&rid(), "page", json!({}))],
    )
    .await
}

async fn log_of(db: &TestDb) -> String {
    std::fs::read_to_string(db.dir.path().join("server.log")).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_sqlite_file_is_not_served_and_nothing_is_acknowledged() {
    let db = TestDb::new(DbKind::Sqlite).await;
    let server = Server::start_logged(&db, &[], "info,sqlx=warn,sea_orm_migration=warn").await;
    assert!(
        log_of(&db).await.contains("creating a new, empty database"),
        "a missing database file is announced"
    );
    let t = tenant(&db, &server, "Deleted").await;
    let (status, _) = page_view(&server, &t).await;
    assert_eq!(status, 202);
    let r = http().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    wait_health(&server, true).await;

    for f in sqlite_files(&db) {
        let _ = std::fs::remove_file(f);
    }
    let (status, body) = page_view(&server, &t).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "UNAVAILABLE");
    wait_health(&server, false).await;
    assert!(
        log_of(&db).await.contains("database file"),
        "the refusal is logged: {}",
        log_of(&db).await
    );
    // Still not acknowledged later (the writer's connection is on the unlinked file).
    let (status, _) = page_view(&server, &t).await;
    assert_eq!(status, 503);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_sqlite_file_is_detected() {
    let db = TestDb::new(DbKind::Sqlite).await;
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Replaced").await;
    let (status, _) = page_view(&server, &t).await;
    assert_eq!(status, 202);
    // Another file moved into its place (a restore done wrong, a deploy that swaps files).
    let path = db.dir.path().join("botect.db");
    let other = db.dir.path().join("other.db");
    std::fs::copy(&path, &other).unwrap();
    std::fs::rename(&other, &path).unwrap();
    // On a fresh connection, with the server's log if the answer does not come.
    let r = reqwest::Client::new()
        .post(server.url("/v1/events"))
        .header("X-Botect-Site-Key", &t.site_key)
        .json(&json!({"session_token": null, "events": [event(&rid(), "page", json!({}))]}))
        .send()
        .await;
    let r = match r {
        Ok(r) => r,
        Err(e) => panic!("ingest failed: {e:?}; server log:\n{}", log_of(&db).await),
    };
    let status = r.status().as_u16();
    let body = r.text().await.unwrap_or_default();
    assert_eq!(status, 503, "{body}");
    wait_health(&server, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_refusing_connections_turns_health_off_and_back_on() {
    let db = TestDb::new(DbKind::Postgres).await;
    let server = Server::start(&db).await;
    wait_health(&server, true).await;
    botect_tests::pg_connections(&db, false).await;
    wait_health(&server, false).await;
    botect_tests::pg_connections(&db, true).await;
    wait_health(&server, true).await;
}

/// Another process holding SQLite's write lock (a backup tool, a stray `sqlite3` shell): ingest
/// answers 503 within `--ingest-timeout-ms` instead of waiting out busy timeouts, and works
/// again once the lock is released.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_externally_held_write_lock_bounds_the_ingest_wait() {
    let db = TestDb::new(DbKind::Sqlite).await;
    let server = Server::start_with(&db, &["--ingest-timeout-ms", "1500"]).await;
    let t = tenant(&db, &server, "Locked").await;
    let (status, _) = page_view(&server, &t).await;
    assert_eq!(status, 202);
    let path = db.dir.path().join("botect.db");
    let (locked, release) = std::sync::mpsc::channel::<()>();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        locked.send(()).unwrap();
        release_rx.recv().unwrap();
        conn.execute_batch("ROLLBACK").unwrap();
    });
    release.recv().unwrap();
    let start = Instant::now();
    let (status, body) = page_view(&server, &t).await;
    let waited = start.elapsed();
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "UNAVAILABLE");
    assert!(waited < Duration::from_secs(5), "waited {waited:?}");
    release_tx.send(()).unwrap();
    holder.join().unwrap();
    // The store is free again: the next batch is stored (after the writer's queued work).
    botect_tests::eventually(
        Duration::from_secs(20),
        Duration::from_millis(200),
        "ingest recovered",
        || async {
            match page_view(&server, &t).await {
                (202, _) => Ok(()),
                other => Err(other),
            }
        },
    )
    .await;
}

/// Writes racing the deletion of their project answer what the caller gets a moment later
/// (404 for the control plane, 401 for ingest), never 503, and log no error.
async fn deletion_races_answer_404_or_401(db: TestDb) {
    let server = Server::start_logged(&db, &[], "info,sqlx=warn,sea_orm_migration=warn").await;
    let t = tenant(&db, &server, "Races").await;
    let mut statuses = std::collections::BTreeMap::<(String, u16), u32>::new();
    for i in 0..15 {
        // A fresh project with scoring enabled, then its deletion raced by three writes.
        let project: Value = http()
            .post(server.url("/v1/projects"))
            .bearer_auth(&t.token)
            .json(&json!({"name": format!("race {i}")}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = project["id"].as_i64().unwrap();
        let enabled: Value = http()
            .post(server.url(&format!("/v1/projects/{id}/scoring")))
            .bearer_auth(&t.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let site_key = enabled["site_key"].as_str().unwrap().to_string();
        let c = http();
        let delete = c
            .delete(server.url(&format!("/v1/projects/{id}")))
            .bearer_auth(&t.token)
            .send();
        let rule = c
            .post(server.url(&format!("/v1/projects/{id}/rules")))
            .bearer_auth(&t.token)
            .json(&json!({"name": "r", "expression": "score < 10", "action": "block"}))
            .send();
        let enable = c
            .post(server.url(&format!("/v1/projects/{id}/scoring")))
            .bearer_auth(&t.token)
            .send();
        let events = c
            .post(server.url("/v1/events"))
            .header("X-Botect-Site-Key", &site_key)
            .json(&json!({"events": [event(&rid(), "page", json!({}))]}))
            .send();
        let (d, r, e, ev) = tokio::join!(delete, rule, enable, events);
        assert_eq!(d.unwrap().status(), 204);
        for (what, resp) in [("rule", r), ("enable", e), ("ingest", ev)] {
            let status = resp.unwrap().status().as_u16();
            assert!(
                matches!(
                    (what, status),
                    ("rule", 201 | 404) | ("enable", 200 | 404) | ("ingest", 202 | 401)
                ),
                "{what} answered {status}"
            );
            *statuses.entry((what.to_string(), status)).or_default() += 1;
        }
    }
    let log = log_of(&db).await;
    assert!(!log.contains("ERROR"), "errors logged: {log}");
    eprintln!("race outcomes: {statuses:?}");
}

botect_tests::both_dbs!(deletion_races_answer_404_or_401);

/// A server with a 1.5 s verdict deadline and one scored session.
struct Scored {
    db: TestDb,
    server: Server,
    t: botect_tests::Tenant,
    session: String,
    /// The session's verdict once scored.
    scored: Value,
}

async fn scored_session_with_deadline(kind: DbKind) -> Scored {
    let db = TestDb::new(kind).await;
    let server = Server::start_with(&db, &["--verdict-timeout-ms", "1500"]).await;
    let t = tenant(&db, &server, "StalledRead").await;
    let (_, ack) = page_view(&server, &t).await;
    let session = ack["session_token"].as_str().unwrap().to_string();
    let scored = botect_tests::scored_verdict(&server, &t.private_key, &session).await;
    Scored {
        db,
        server,
        t,
        session,
        scored,
    }
}

/// The fail-open body, answered at the 1.5 s deadline (not before, not much after).
fn failed_open_at_the_deadline(status: u16, body: Value, took: Duration) {
    assert_eq!((status, body), (200, botect_tests::fail_open()));
    assert!(
        took >= Duration::from_millis(1400),
        "failed open after {took:?}"
    );
    assert!(
        took < Duration::from_millis(2500),
        "the 1.5 s deadline did not hold: {took:?}"
    );
}

/// A stalled PostgreSQL (a table lock another session holds) is cut off at the verdict
/// deadline with the fail-open body, and verdicts are exact again once it is released.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verdict_deadline_bounds_a_stalled_postgres() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let Scored {
        db,
        server,
        t,
        session,
        scored,
    } = scored_session_with_deadline(DbKind::Postgres).await;

    let store = botect::store::Store::open(&db.url).await.unwrap();
    let tx = store.connection().begin().await.unwrap();
    tx.execute_unprepared("LOCK TABLE scoring IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let start = Instant::now();
    let (status, v) = botect_tests::verdict(&server, &t.private_key, &session).await;
    failed_open_at_the_deadline(status, v, start.elapsed());
    tx.rollback().await.unwrap();
    botect_tests::verdict_until(&server, &t.private_key, &session, |v| *v == scored).await;
}

/// Holds the WAL's five read-mark locks of a SQLite database (exclusive POSIX locks on bytes
/// 123–127 of its `-shm` file, SQLite's `READ_LOCK(0..4)`), as another process's readers can:
/// a new read transaction then retries inside SQLite for about 10 s, without asking the busy
/// handler, before it fails. Released when dropped.
struct HeldReadMarks {
    _file: std::fs::File,
}

impl HeldReadMarks {
    fn take(db: &TestDb) -> HeldReadMarks {
        use std::os::fd::AsRawFd;
        let shm = db.dir.path().join("botect.db-shm");
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&shm)
            .expect("the -shm file of a WAL database in use");
        // SAFETY: a zeroed `flock` is a valid value; the fd is open for the call.
        let mut lock: libc::flock = unsafe { std::mem::zeroed() };
        lock.l_type = libc::F_WRLCK as _;
        lock.l_whence = libc::SEEK_SET as _;
        lock.l_start = 120 + 3;
        lock.l_len = 5;
        let start = Instant::now();
        // The server's readers hold these only for the length of one read.
        while unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLK, &lock) } != 0 {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "could not lock the read marks: {}",
                std::io::Error::last_os_error()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        HeldReadMarks { _file: file }
    }
}

/// Another process holding the WAL's read marks stalls every SQLite read for ~10 s inside
/// SQLite. Verdict reads that miss the cache still answer the fail-open body at the
/// deadline: more of them than the server has runtime and reader threads, all at once; and
/// they are exact again once the marks are released.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verdict_deadline_bounds_a_stalled_sqlite_read() {
    let Scored {
        db,
        server,
        t,
        session,
        scored,
    } = scored_session_with_deadline(DbKind::Sqlite).await;
    // A settings write (same value) makes every cached verdict stale: the next read of
    // `session` goes to the file.
    let r = http()
        .put(server.url(&format!("/v1/projects/{}/scoring/settings", t.project)))
        .bearer_auth(&t.token)
        .json(&json!({"allow_verified": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);

    let marks = HeldReadMarks::take(&db);
    let start = Instant::now();
    let reads = (0..8).map(|_| async {
        let (status, v) = botect_tests::verdict(&server, &t.private_key, &session).await;
        (status, v, start.elapsed())
    });
    for (status, v, took) in futures::future::join_all(reads).await {
        failed_open_at_the_deadline(status, v, took);
    }
    drop(marks);
    botect_tests::verdict_until(&server, &t.private_key, &session, |v| *v == scored).await;
}
