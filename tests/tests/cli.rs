//! The operator CLI (`botect account|token|subscription|quota|migrate`) on both databases:
//! output shapes, effects seen by a running server, secrets stored only as SHA-256, and
//! clear failures with a non-zero exit.
use botect_tests::{Server, TestDb, both_dbs, event, http, ingest, rid, serde_json, tenant};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Runs a CLI command that must fail: non-zero exit, nothing on stdout, a message on stderr.
/// Returns stderr.
async fn cli_fails(db: &TestDb, args: &[&str]) -> String {
    let out = db.cli_raw(args).await;
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        !out.status.success(),
        "botect {args:?} should fail but succeeded: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        out.stdout.is_empty(),
        "botect {args:?} failed but printed to stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        !stderr.trim().is_empty(),
        "botect {args:?} failed without a message"
    );
    stderr
}

/// Creates an account; returns the parsed JSON document (asserting it is exactly one).
async fn create_account(db: &TestDb, name: &str, email: &str) -> Value {
    let out = db
        .cli(&["account", "create", "--name", name, "--email", email])
        .await;
    assert_eq!(
        out.lines().count(),
        1,
        "one JSON document on one line: {out:?}"
    );
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not one JSON document: {out:?}: {e}"))
}

async fn create_token(db: &TestDb, email: &str, name: &str) -> String {
    let out = db_cli_checked(db, &["token", "create", "--email", email, "--name", name]).await;
    assert!(out.ends_with('\n'), "{out:?}");
    assert_eq!(out.lines().count(), 1, "only the token: {out:?}");
    out.trim_end_matches('\n').to_string()
}

/// Like `db.cli`, and also checks that stderr does not carry the printed secret.
async fn db_cli_checked(db: &TestDb, args: &[&str]) -> String {
    let out = db.cli_raw(args).await;
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "botect {args:?} failed: {stderr}");
    if let Some(secret) = stdout.split_whitespace().next() {
        assert!(
            !stderr.contains(secret),
            "botect {args:?} wrote its secret to stderr"
        );
    }
    stdout
}

/// Every text cell of a table, as (column, value).
async fn text_cells(db: &TestDb, table: &str) -> Vec<(String, String)> {
    let store = botect::store::Store::open(&db.url)
        .await
        .expect("open store");
    let rows = store
        .connection()
        .query_all_raw(Statement::from_string(
            store.backend(),
            format!("SELECT * FROM {table}"),
        ))
        .await
        .expect("query");
    let mut cells = Vec::new();
    for row in &rows {
        for col in row.column_names() {
            if let Ok(Some(s)) = row.try_get::<Option<String>>("", &col) {
                cells.push((col, s));
            }
        }
    }
    cells
}

/// One column of a table, as text.
async fn column(db: &TestDb, sql: &str, col: &str) -> Vec<Option<String>> {
    let store = botect::store::Store::open(&db.url)
        .await
        .expect("open store");
    let rows = store
        .connection()
        .query_all_raw(Statement::from_string(store.backend(), sql.to_string()))
        .await
        .expect("query");
    rows.iter()
        .map(|r| r.try_get::<Option<String>>("", col).expect("text column"))
        .collect()
}

/// The secret is nowhere in the table (and, for SQLite, nowhere in the database files).
async fn assert_not_stored(db: &TestDb, table: &str, secret: &str) {
    for (col, value) in text_cells(db, table).await {
        assert!(
            !value.contains(secret),
            "{table}.{col} holds the plaintext secret"
        );
    }
    if db.kind == botect_tests::DbKind::Sqlite {
        for entry in std::fs::read_dir(db.dir.path()).expect("dir") {
            let path = entry.expect("entry").path();
            if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("botect.db"))
            {
                let bytes = std::fs::read(&path).expect("read db file");
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{} holds the plaintext secret",
                    path.display()
                );
            }
        }
    }
}

async fn get_status(server: &Server, path: &str, token: &str) -> (u16, Value) {
    let r = http()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// `account create`: one JSON document; duplicates and bad input fail.
async fn account_create(db: TestDb) {
    let doc = create_account(&db, "Acme Corp", "Dev@Acme.test").await;
    let account = &doc["account"];
    let user = &doc["user"];
    assert!(
        account["id"].is_i64() && account["id"].as_i64() > Some(0),
        "{doc}"
    );
    assert!(
        user["id"].is_i64() && user["id"].as_i64() > Some(0),
        "{doc}"
    );
    assert_eq!(account["name"], "Acme Corp");
    assert_eq!(account["slug"], "acme-corp");
    assert_eq!(account["subscription_active"], true, "{doc}");
    assert!(
        account
            .as_object()
            .expect("object")
            .contains_key("monthly_event_quota")
            && account["monthly_event_quota"].is_null(),
        "a new account has no quota: {doc}"
    );
    assert_eq!(user["email"], "dev@acme.test");
    assert_eq!(user["role"], "owner");

    // A second account with the same name gets its own slug.
    let other = create_account(&db, "Acme Corp", "ops@acme.test").await;
    assert_ne!(other["account"]["id"], account["id"]);
    assert_ne!(other["account"]["slug"], account["slug"]);

    // Duplicate email (in any case) fails and creates nothing.
    for email in ["Dev@Acme.test", "dev@acme.test", "DEV@ACME.TEST"] {
        let err = cli_fails(
            &db,
            &["account", "create", "--name", "Again", "--email", email],
        )
        .await;
        assert!(err.contains("already exists"), "{err}");
    }
    let names = column(&db, "SELECT name FROM accounts ORDER BY id", "name").await;
    assert_eq!(names.len(), 2, "{names:?}");

    // Bad input.
    cli_fails(
        &db,
        &["account", "create", "--name", "  ", "--email", "x@y.test"],
    )
    .await;
    cli_fails(
        &db,
        &[
            "account",
            "create",
            "--name",
            "X",
            "--email",
            "not-an-email",
        ],
    )
    .await;
    cli_fails(&db, &["account", "create", "--name", "X"]).await;
}

/// `token create`: only the token on stdout; it works; only its SHA-256 is stored.
async fn token_create_and_hashing(db: TestDb) {
    let server = Server::start(&db).await;
    create_account(&db, "Hashco", "owner@hash.test").await;
    let token = create_token(&db, "owner@hash.test", "ci").await;
    assert!(token.len() >= 43, "{token:?}");
    assert!(
        !token.starts_with("pk_") && !token.starts_with("sk_"),
        "{token:?}"
    );
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{token:?}"
    );
    let (status, account) = get_status(&server, "/v1/account", &token).await;
    assert_eq!(status, 200, "{account}");
    assert_eq!(account["name"], "Hashco");

    // Two tokens are different secrets.
    let second = create_token(&db, "owner@hash.test", "ci").await;
    assert_ne!(second, token);
    let (status, _) = get_status(&server, "/v1/account", &second).await;
    assert_eq!(status, 200);

    let hashes: Vec<String> = column(
        &db,
        "SELECT token_hash FROM api_tokens ORDER BY id",
        "token_hash",
    )
    .await
    .into_iter()
    .map(|h| h.expect("hash").trim().to_string())
    .collect();
    assert_eq!(hashes, [sha256_hex(&token), sha256_hex(&second)]);
    assert_not_stored(&db, "api_tokens", &token).await;
    assert_not_stored(&db, "api_tokens", &second).await;

    // Unknown user.
    let err = cli_fails(
        &db,
        &[
            "token",
            "create",
            "--email",
            "nobody@hash.test",
            "--name",
            "x",
        ],
    )
    .await;
    assert!(err.contains("nobody@hash.test"), "{err}");

    // Private keys: only their SHA-256, in scoring.private_key_hash.
    let t = tenant(&db, &server, "Keys").await;
    let sql = format!(
        "SELECT private_key_hash FROM scoring WHERE project_id = {}",
        t.project
    );
    let stored = column(&db, &sql, "private_key_hash").await;
    assert_eq!(
        stored
            .iter()
            .map(|h| h.as_deref().map(str::trim))
            .collect::<Vec<_>>(),
        [Some(sha256_hex(&t.private_key).as_str())]
    );
    assert_not_stored(&db, "scoring", &t.private_key).await;
    assert_not_stored(&db, "api_tokens", &t.token).await;
    // Rotation stores the new key's hash, never the key.
    let rotated: Value = http()
        .post(server.url(&format!("/v1/projects/{}/scoring/rotate", t.project)))
        .bearer_auth(&t.token)
        .json(&json!({"type": "private"}))
        .send()
        .await
        .expect("rotate")
        .json()
        .await
        .expect("JSON");
    let new_key = rotated["key"].as_str().expect("key");
    let stored = column(&db, &sql, "private_key_hash").await;
    assert_eq!(
        stored[0].as_deref().map(str::trim),
        Some(sha256_hex(new_key).as_str())
    );
    assert_not_stored(&db, "scoring", new_key).await;
    assert_not_stored(&db, "scoring", &t.private_key).await;
}

/// `token revoke` by value and by user + name; effective at once on a running server.
async fn token_revoke(db: TestDb) {
    let server = Server::start(&db).await;
    create_account(&db, "Revokers", "r@rev.test").await;
    let a = create_token(&db, "r@rev.test", "deploy").await;
    let b = create_token(&db, "r@rev.test", "deploy").await;
    let c = create_token(&db, "r@rev.test", "laptop").await;
    for t in [&a, &b, &c] {
        assert_eq!(get_status(&server, "/v1/account", t).await.0, 200);
    }

    // By value.
    let out = db.cli(&["token", "revoke", "--token", &c]).await;
    assert_eq!(
        serde_json::from_str::<Value>(&out).expect("JSON"),
        json!({"revoked": 1})
    );
    assert_eq!(get_status(&server, "/v1/account", &c).await.0, 401);
    assert_eq!(get_status(&server, "/v1/account", &a).await.0, 200);
    // Revoking it again: nothing matched.
    let err = cli_fails(&db, &["token", "revoke", "--token", &c]).await;
    assert!(err.contains("no active token"), "{err}");
    cli_fails(
        &db,
        &["token", "revoke", "--token", "never-issued-token-value"],
    )
    .await;
    // A token may begin with `-` (base64url): it is the value, not a flag.
    let err = cli_fails(
        &db,
        &[
            "token",
            "revoke",
            "--token",
            "-7xJAasGh_ZtWBicI3hXbwoniWyc7iWid_jRnYV78Xo",
        ],
    )
    .await;
    assert!(err.contains("no active token"), "{err}");

    // By user and name: every active token of that name.
    let out = db
        .cli(&[
            "token",
            "revoke",
            "--email",
            "R@REV.TEST",
            "--name",
            "deploy",
        ])
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&out).expect("JSON"),
        json!({"revoked": 2})
    );
    for t in [&a, &b] {
        assert_eq!(get_status(&server, "/v1/account", t).await.0, 401);
    }
    cli_fails(
        &db,
        &[
            "token",
            "revoke",
            "--email",
            "r@rev.test",
            "--name",
            "deploy",
        ],
    )
    .await;
    let err = cli_fails(
        &db,
        &[
            "token",
            "revoke",
            "--email",
            "ghost@rev.test",
            "--name",
            "deploy",
        ],
    )
    .await;
    assert!(err.contains("ghost@rev.test"), "{err}");
    // revoked_at is set for all three, the hashes stay.
    let revoked = column(
        &db,
        "SELECT CAST(revoked_at AS TEXT) AS r FROM api_tokens ORDER BY id",
        "r",
    )
    .await;
    assert_eq!(revoked.len(), 3);
    assert!(revoked.iter().all(Option::is_some), "{revoked:?}");

    // Argument errors.
    cli_fails(&db, &["token", "revoke"]).await;
    cli_fails(&db, &["token", "revoke", "--email", "r@rev.test"]).await;
    cli_fails(&db, &["token", "revoke", "--name", "deploy"]).await;
    cli_fails(
        &db,
        &[
            "token",
            "revoke",
            "--email",
            "r@rev.test",
            "--name",
            "deploy",
            "--token",
            &a,
        ],
    )
    .await;
}

/// `subscription set` and `quota set`, seen by a running server.
async fn subscription_and_quota(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Meter").await;
    let id = t.account_id.to_string();

    let out = db
        .cli(&["subscription", "set", "--account", &id, "--active", "false"])
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&out).expect("JSON"),
        json!({"account": t.account_id, "subscription_active": false})
    );
    let (status, body) = get_status(&server, "/v1/projects", &t.token).await;
    assert_eq!(status, 402, "{body}");
    assert_eq!(body["code"], "NO_ACTIVE_SUBSCRIPTION");
    let out = db
        .cli(&["subscription", "set", "--account", &id, "--active", "true"])
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&out).expect("JSON"),
        json!({"account": t.account_id, "subscription_active": true})
    );
    assert_eq!(get_status(&server, "/v1/projects", &t.token).await.0, 200);

    // Quota: soft, in events; "unlimited" removes it.
    let out = db
        .cli(&["quota", "set", "--account", &id, "--monthly-events", "1"])
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&out).expect("JSON"),
        json!({"account": t.account_id, "monthly_event_quota": 1})
    );
    let events = || {
        vec![
            event(&rid(), "scroll", json!({"scroll_velocity": 1.0})),
            event(&rid(), "scroll", json!({"scroll_velocity": 2.0})),
        ]
    };
    let (status, ack) = ingest(&server, &t.site_key, None, events()).await;
    assert_eq!(status, 202, "{ack}");
    assert_eq!(ack["over_quota"], true, "{ack}");
    assert_eq!(ack["accepted"], 2, "over quota is still stored: {ack}");
    let out = db
        .cli(&[
            "quota",
            "set",
            "--account",
            &id,
            "--monthly-events",
            "unlimited",
        ])
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&out).expect("JSON"),
        json!({"account": t.account_id, "monthly_event_quota": null})
    );
    let (status, ack) = ingest(&server, &t.site_key, None, events()).await;
    assert_eq!(status, 202, "{ack}");
    assert!(ack.get("over_quota").is_none(), "{ack}");
    // A large quota: not over.
    db.cli(&[
        "quota",
        "set",
        "--account",
        &id,
        "--monthly-events",
        "1000000",
    ])
    .await;
    let (_, ack) = ingest(&server, &t.site_key, None, events()).await;
    assert!(ack.get("over_quota").is_none(), "{ack}");
    let quota = column(
        &db,
        &format!(
            "SELECT CAST(monthly_event_quota AS TEXT) AS q FROM accounts WHERE id = {}",
            t.account_id
        ),
        "q",
    )
    .await;
    assert_eq!(quota, [Some("1000000".to_string())]);

    // Bad arguments: a clear message and a non-zero exit; nothing changes.
    for bad in ["-3", "lots", "1.5", ""] {
        let flag = format!("--monthly-events={bad}");
        let err = cli_fails(&db, &["quota", "set", "--account", &id, &flag]).await;
        assert!(
            err.contains("monthly-events") && err.contains("non-negative number"),
            "{bad}: {err}"
        );
        assert!(
            bad.is_empty() || err.contains(bad),
            "the message names the bad value {bad:?}: {err}"
        );
    }
    let err = cli_fails(
        &db,
        &["quota", "set", "--account", &id, "--monthly-events", "-3"],
    )
    .await;
    // Also when the negative number is a separate argument: the message says what is
    // wrong with the value, not that "-3" is an unknown option.
    assert!(
        err.contains("-3") && err.contains("non-negative number"),
        "{err}"
    );
    cli_fails(&db, &["quota", "set", "--account", &id]).await;
    cli_fails(
        &db,
        &["subscription", "set", "--account", &id, "--active", "maybe"],
    )
    .await;
    cli_fails(&db, &["subscription", "set", "--account", &id]).await;
    cli_fails(
        &db,
        &[
            "subscription",
            "set",
            "--account",
            "abc",
            "--active",
            "true",
        ],
    )
    .await;
    let quota_after = column(
        &db,
        &format!(
            "SELECT CAST(monthly_event_quota AS TEXT) AS q FROM accounts WHERE id = {}",
            t.account_id
        ),
        "q",
    )
    .await;
    assert_eq!(quota_after, quota);
    assert_eq!(get_status(&server, "/v1/projects", &t.token).await.0, 200);

    // Unknown accounts.
    for account in ["999999", "0", "-1"] {
        let flag = format!("--account={account}");
        let err = cli_fails(&db, &["subscription", "set", &flag, "--active", "false"]).await;
        assert!(err.contains(account), "{err}");
        let err = cli_fails(&db, &["quota", "set", &flag, "--monthly-events", "5"]).await;
        assert!(err.contains(account), "{err}");
    }
}

/// `migrate` is idempotent and keeps the data.
async fn migrate_twice(db: TestDb) {
    let first = db.cli(&["migrate"]).await;
    assert!(first.contains("migrations applied"), "{first}");
    let second = db.cli(&["migrate"]).await;
    assert!(second.contains("migrations applied"), "{second}");
    create_account(&db, "Kept", "kept@migrate.test").await;
    let token = create_token(&db, "kept@migrate.test", "ci").await;
    db.cli(&["migrate"]).await;
    let server = Server::start(&db).await;
    let (status, account) = get_status(&server, "/v1/account", &token).await;
    assert_eq!(status, 200, "{account}");
    assert_eq!(account["name"], "Kept");
    // And again while a server runs on the database.
    db.cli(&["migrate"]).await;
    assert_eq!(get_status(&server, "/v1/account", &token).await.0, 200);
}

/// Unknown subcommands and a database that cannot be opened fail clearly.
async fn bad_invocations(db: TestDb) {
    cli_fails(&db, &["frobnicate"]).await;
    cli_fails(&db, &["account", "delete"]).await;
    let out = std::process::Command::new(botect_tests::botect_bin())
        .args(["--database-url", "mysql://nowhere/db", "migrate"])
        .env("BOTECT_LOG", "warn")
        .output()
        .expect("run botect");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

both_dbs!(
    account_create,
    token_create_and_hashing,
    token_revoke,
    subscription_and_quota,
    migrate_twice,
    bad_invocations,
);
