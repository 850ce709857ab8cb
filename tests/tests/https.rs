//! Built-in TLS (`--tls-cert`, `--tls-key`) with a test CA, on both databases: REST over
//! HTTP/2 and HTTP/1.1 and gRPC on the one port; every call of the official server SDK over
//! HTTPS exactly as it makes them, ending in the verdict of its backend-minted session; the
//! certificate reloaded on SIGHUP (and kept when the new files are broken); bad files refused
//! at start.
use botect_client::{Botect, pb};
use botect_tests::php_sdk::{self, PhpSdk};
use botect_tests::tls::{TestCa, der, served_certificate};
use botect_tests::{Server, TestDb, both_dbs, tenant};

fn port(server: &Server) -> u16 {
    server.addr.rsplit(':').next().unwrap().parse().unwrap()
}

async fn the_official_sdk_works_over_https(db: TestDb) {
    let ca = TestCa::new(db.dir.path());
    let server = Server::start_tls(&db, &ca, &[]).await;
    assert!(
        server.base.starts_with("https://localhost:"),
        "{}",
        server.base
    );
    let client = ca.client();

    // REST over both HTTP versions (ALPN), with the CA's certificate.
    for (version, client) in [
        (reqwest::Version::HTTP_2, client.clone()),
        (
            reqwest::Version::HTTP_11,
            reqwest::Client::builder()
                .use_rustls_tls()
                .tls_built_in_root_certs(false)
                .add_root_certificate(reqwest::Certificate::from_pem(ca.ca_pem.as_bytes()).unwrap())
                .http1_only()
                .build()
                .unwrap(),
        ),
    ] {
        let r = client.get(server.url("/healthz")).send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.version()), (200, version));
    }
    // A client that does not trust the CA is refused by its own check: a real chain.
    let plain = reqwest::Client::builder().use_rustls_tls().build().unwrap();
    assert!(plain.get(server.url("/healthz")).send().await.is_err());

    // Every SDK call, over HTTPS.
    let t = tenant(&db, &server, "HTTPS SDK").await;
    let sdk = PhpSdk::new(&server.url("/v1"), &t.private_key, client);
    let token = php_sdk::official_sdk_calls(&db, &server, &sdk).await;

    // gRPC over TLS on the same port.
    let botect = Botect::from_channel(ca.channel(&server.base).await);
    let v = botect
        .verdicts(&t.private_key)
        .unwrap()
        .get_verdict(pb::GetVerdictRequest {
            session_token: token,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(v.verdict, pb::Verdict::LikelyHuman as i32, "{v:?}");
}

async fn the_certificate_is_reloaded_on_sighup(db: TestDb) {
    let mut ca = TestCa::new(db.dir.path());
    let first = std::fs::read_to_string(&ca.cert_file).unwrap();
    let server = Server::start_tls(&db, &ca, &[]).await;
    let port = port(&server);
    assert_eq!(served_certificate(port, &ca.ca_pem), der(&first));

    let second = ca.issue("renewed");
    let pid = server.child.id().unwrap() as i32;
    unsafe { libc::kill(pid, libc::SIGHUP) };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while served_certificate(port, &ca.ca_pem) != der(&second) {
        assert!(
            std::time::Instant::now() < deadline,
            "the renewed certificate was not served"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Broken files: the renewed certificate stays, and the server keeps answering.
    std::fs::write(&ca.cert_file, "not a certificate").unwrap();
    unsafe { libc::kill(pid, libc::SIGHUP) };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(served_certificate(port, &ca.ca_pem), der(&second));
    let r = ca
        .client()
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn bad_certificate_files_fail_the_start(db: TestDb) {
    let ca = TestCa::new(db.dir.path());
    let missing = db.dir.path().join("missing.pem");
    let garbage = db.dir.path().join("garbage.pem");
    std::fs::write(&garbage, "-----BEGIN CERTIFICATE-----\nnope\n").unwrap();
    let elsewhere = db.dir.path().join("other-ca");
    std::fs::create_dir(&elsewhere).unwrap();
    let other_key = TestCa::new(&elsewhere).key_file;
    for (cert, key, says) in [
        (missing.clone(), ca.key_file.clone(), "--tls-cert"),
        (ca.cert_file.clone(), missing.clone(), "--tls-key"),
        (garbage.clone(), ca.key_file.clone(), "--tls-cert"),
        (
            ca.cert_file.clone(),
            other_key.clone(),
            "do not go together",
        ),
    ] {
        let out = db
            .cli_raw(&[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--tls-cert",
                cert.to_str().unwrap(),
                "--tls-key",
                key.to_str().unwrap(),
            ])
            .await;
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{says}: {err}");
    }
    // One without the other is a usage error.
    let out = db
        .cli_raw(&["serve", "--tls-cert", ca.cert_file.to_str().unwrap()])
        .await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-key"));
}

both_dbs!(
    the_official_sdk_works_over_https,
    the_certificate_is_reloaded_on_sighup,
    bad_certificate_files_fail_the_start,
);
