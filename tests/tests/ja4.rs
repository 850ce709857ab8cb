//! JA4 end to end, on both databases: the fingerprints of real Chromium, curl, Python and
//! rustls clients as Botect's built-in TLS computes them, kept with their ingest requests;
//! the finding for a browser user agent over a non-browser TLS stack; the `ja4` rule field;
//! and `--trusted-proxy` with `--ja4-header`: believed from the trusted network only.
use std::time::{Duration, Instant};

use botect::domain::ja4::{CHROMIUM_CIPHERS, cipher_part, is_fingerprint};
use botect_tests::tls::TestCa;
use botect_tests::{
    Server, TestDb, both_dbs, event, http, rid, scored_verdict, serde_json, sql_texts, tenant,
    verdict,
};
use serde_json::{Value, json};

const CHROME_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const TLS_CLIENT_MISMATCH: u64 = 0x0100_0012;

fn batch(request_id: &str) -> Value {
    json!({"session_token": null, "events": [event(request_id, "mouse", json!({"entropy": 0.5, "samples": 40}))]})
}

/// The JA4 stored with the ingest request that carried `request_id`, waiting for it.
async fn ja4_of(db: &TestDb, request_id: &str, within: Duration) -> Option<String> {
    let sql = format!(
        "SELECT r.ja4 AS v FROM ingest_requests r JOIN events e ON e.session_id = r.session_id \
         WHERE e.request_id = '{request_id}'"
    );
    let until = Instant::now() + within;
    loop {
        let n = sql_texts(
            db,
            &format!("SELECT e.request_id AS v FROM events e WHERE e.request_id = '{request_id}'"),
        )
        .await;
        if !n.is_empty() {
            return sql_texts(db, &sql).await.into_iter().next();
        }
        assert!(Instant::now() < until, "no batch with {request_id} arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn session_of(db: &TestDb, request_id: &str) -> String {
    sql_texts(
        db,
        &format!(
            "SELECT s.token AS v FROM sessions s JOIN events e ON e.session_id = s.id WHERE e.request_id = '{request_id}'"
        ),
    )
    .await
    .remove(0)
}

async fn real_clients_get_their_own_fingerprints(db: TestDb) {
    let ca = TestCa::new(db.dir.path());
    let server = Server::start_tls(&db, &ca, &[]).await;
    let t = tenant(&db, &server, "JA4").await;
    let port = server.addr.rsplit(':').next().unwrap().to_string();
    let ca_file = ca.ca_file.display().to_string();

    // curl, by name (SNI).
    let curl_id = rid();
    let out = tokio::process::Command::new("curl")
        .args(["-sS", "--fail", "--cacert", &ca_file])
        .args(["-H", &format!("X-Botect-Site-Key: {}", t.site_key)])
        .args(["-H", "Content-Type: application/json", "-A", CHROME_UA])
        .args(["--data", &batch(&curl_id).to_string()])
        .arg(format!("https://localhost:{port}/v1/events"))
        .output()
        .await
        .expect("curl");
    assert!(
        out.status.success(),
        "curl: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Python's standard library (OpenSSL), by address: no SNI.
    let python_id = rid();
    let out = tokio::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import ssl, sys, urllib.request\n\
             ctx = ssl.create_default_context(cafile=sys.argv[1])\n\
             req = urllib.request.Request(sys.argv[2], data=sys.argv[3].encode(), headers={'X-Botect-Site-Key': sys.argv[4], 'Content-Type': 'application/json', 'User-Agent': sys.argv[5]})\n\
             urllib.request.urlopen(req, context=ctx).read()\n",
        )
        .args([&ca_file, &format!("https://127.0.0.1:{port}/v1/events")])
        .args([&batch(&python_id).to_string(), &t.site_key, CHROME_UA])
        .output()
        .await
        .expect("python3");
    assert!(
        out.status.success(),
        "python: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // rustls (reqwest).
    let rustls_id = rid();
    let r = ca
        .client()
        .post(server.url("/v1/events"))
        .header("X-Botect-Site-Key", &t.site_key)
        .json(&batch(&rustls_id))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);

    // Chromium: the SDK on Botect's demo page, over its own network stack (a tenant of its
    // own, so that its batch is the only one of the project).
    let c = tenant(&db, &server, "JA4 Chromium").await;
    let profile = db.dir.path().join("chromium-profile");
    let mut chromium = tokio::process::Command::new("/usr/bin/chromium")
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--ignore-certificate-errors",
            "--remote-debugging-port=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(server.url(&format!("/demo?site_key={}", c.site_key)))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("chromium");
    let sql = format!(
        "SELECT ja4 AS v FROM ingest_requests WHERE project_id = {}",
        c.project
    );
    let until = Instant::now() + Duration::from_secs(60);
    let chromium_ja4 = loop {
        if let Some(j) = sql_texts(&db, &sql).await.into_iter().next() {
            break Some(j);
        }
        assert!(Instant::now() < until, "Chromium sent no batch");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let _ = chromium.kill().await;
    let chromium_session = sql_texts(
        &db,
        &format!(
            "SELECT token AS v FROM sessions WHERE project_id = {}",
            c.project
        ),
    )
    .await
    .remove(0);

    let wait = Duration::from_secs(10);
    let got = [
        ("chromium", chromium_ja4),
        ("curl", ja4_of(&db, &curl_id, wait).await),
        ("python", ja4_of(&db, &python_id, wait).await),
        ("rustls", ja4_of(&db, &rustls_id, wait).await),
    ];
    for (who, ja4) in &got {
        let ja4 = ja4
            .as_deref()
            .unwrap_or_else(|| panic!("{who}: no JA4 stored"));
        assert!(is_fingerprint(ja4), "{who}: {ja4}");
        println!("{who}: {ja4}");
    }
    let ja4 = |i: usize| got[i].1.clone().unwrap();
    let (chromium, curl, python, rustls) = (ja4(0), ja4(1), ja4(2), ja4(3));
    // Every Chromium carries BoringSSL's cipher list and offers h2; the others do not.
    assert_eq!(cipher_part(&chromium), Some(CHROMIUM_CIPHERS), "{chromium}");
    assert!(
        chromium.starts_with("t13d") && chromium[8..10] == *"h2",
        "{chromium}"
    );
    for other in [&curl, &python, &rustls] {
        assert_ne!(cipher_part(other), Some(CHROMIUM_CIPHERS), "{other}");
    }
    // SNI by name, none by address.
    assert_eq!(&curl[..4], "t13d", "{curl}");
    assert_eq!(&python[3..4], "i", "{python}");
    let mut distinct = vec![&chromium, &curl, &python, &rustls];
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "{got:?}");

    // curl and Python with Chrome's user agent: the TLS client contradicts it.
    for id in [&curl_id, &python_id] {
        let v = scored_verdict(&server, &t.private_key, &session_of(&db, id).await).await;
        let ids: Vec<u64> = v["detection_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap())
            .collect();
        assert!(ids.contains(&TLS_CLIENT_MISMATCH), "{v}");
    }
    let v = scored_verdict(&server, &c.private_key, &chromium_session).await;
    assert!(
        !v["detection_ids"]
            .as_array()
            .unwrap()
            .contains(&json!(TLS_CLIENT_MISMATCH)),
        "{v}"
    );

    // `ja4` in rules, from the next read.
    let r = http()
        .post(server.url(&format!("/v1/projects/{}/rules", t.project)))
        .bearer_auth(&t.token)
        .json(&json!({"name": "python tls", "expression": format!("ja4 == \"{python}\""), "action": "block"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let python_session = session_of(&db, &python_id).await;
    // The session's detail shows it with the latest batch's request facts.
    let detail: Value = http()
        .get(server.url(&format!(
            "/v1/projects/{}/sessions/{python_session}",
            t.project
        )))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["request"]["ja4"], json!(python), "{detail}");
    assert_eq!(
        verdict(&server, &t.private_key, &python_session).await.1["action"],
        "block"
    );
    let curl_session = session_of(&db, &curl_id).await;
    assert_ne!(
        verdict(&server, &t.private_key, &curl_session).await.1["action"],
        "block"
    );
}

const CHROME_JA4: &str = "t13d1516h2_8daaf6152771_e5627efa2ab1";

/// Posts a batch from loopback as a proxy would forward it; returns the stored
/// `(client_ip, ja4)` of its request.
async fn forwarded(
    db: &TestDb,
    server: &Server,
    site_key: &str,
    headers: &[(&str, &str)],
) -> (Vec<String>, Vec<String>) {
    let id = rid();
    let mut rb = http()
        .post(server.url("/v1/events"))
        .header("X-Botect-Site-Key", site_key);
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    assert_eq!(rb.json(&batch(&id)).send().await.unwrap().status(), 202);
    let of = |col: &str| {
        format!(
            "SELECT r.{col} AS v FROM ingest_requests r JOIN events e ON e.session_id = r.session_id WHERE e.request_id = '{id}'"
        )
    };
    (
        sql_texts(db, &of("client_ip")).await,
        sql_texts(db, &of("ja4")).await,
    )
}

async fn proxy_headers_count_only_from_trusted_proxies(db: TestDb) {
    let headers = [
        ("X-Forwarded-For", "192.0.2.66, 198.51.100.7"),
        ("X-JA4", CHROME_JA4),
    ];
    // Loopback is the trusted proxy here.
    let behind = Server::start_with(
        &db,
        &[
            "--trusted-proxy",
            "127.0.0.1/32,::1",
            "--ja4-header",
            "X-JA4",
        ],
    )
    .await;
    let t = tenant(&db, &behind, "Behind a proxy").await;
    assert_eq!(
        forwarded(&db, &behind, &t.site_key, &headers).await,
        (
            vec!["198.51.100.7".to_string()],
            vec![CHROME_JA4.to_string()]
        )
    );
    // `Forwarded` when there is no X-Forwarded-For; a JA4 header that is no fingerprint is
    // dropped.
    assert_eq!(
        forwarded(
            &db,
            &behind,
            &t.site_key,
            &[
                ("Forwarded", "for=\"[2001:db8::9]:443\""),
                ("X-JA4", "chrome")
            ]
        )
        .await,
        (vec!["2001:db8::9".to_string()], vec![])
    );
    // The session's address is the `ip` rule field when the verdict gives none; the
    // verdict's own `ip` wins.
    let r = http()
        .post(behind.url(&format!("/v1/projects/{}/rules", t.project)))
        .bearer_auth(&t.token)
        .json(&json!({"name": "office", "expression": "ip in [\"198.51.100.0/24\"] AND ja4 != null", "action": "challenge"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = rid();
    let r = http()
        .post(behind.url("/v1/events"))
        .header("X-Botect-Site-Key", &t.site_key)
        .header("X-Forwarded-For", "198.51.100.7")
        .header("X-JA4", CHROME_JA4)
        .json(&batch(&id))
        .send()
        .await
        .unwrap();
    let session = r.json::<Value>().await.unwrap()["session_token"]
        .as_str()
        .unwrap()
        .to_string();
    let v = scored_verdict(&behind, &t.private_key, &session).await;
    assert_eq!(v["action"], "challenge", "{v}");
    let r = http()
        .get(behind.url(&format!("/v1/sessions/{session}/verdict?ip=203.0.113.1")))
        .bearer_auth(&t.private_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["action"], "allow");

    // From anyone else the same headers are ignored: the socket peer, and no JA4 on
    // cleartext.
    let open = Server::start_with(
        &db,
        &["--trusted-proxy", "10.0.0.0/8", "--ja4-header", "X-JA4"],
    )
    .await;
    let t = tenant(&db, &open, "Not a proxy").await;
    assert_eq!(
        forwarded(&db, &open, &t.site_key, &headers).await,
        (vec!["127.0.0.1".to_string()], vec![])
    );
    let plain = Server::start(&db).await;
    assert_eq!(
        forwarded(&db, &plain, &t.site_key, &headers).await,
        (vec!["127.0.0.1".to_string()], vec![])
    );
    // A bad flag value is refused at start.
    let out = db
        .cli_raw(&["serve", "--trusted-proxy", "10.0.0.0/33"])
        .await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--trusted-proxy"));
}

both_dbs!(
    real_clients_get_their_own_fingerprints,
    proxy_headers_count_only_from_trusted_proxies,
);
