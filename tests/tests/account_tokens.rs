//! Settings → API Tokens over the API (`/v1/account/tokens`, REST and gRPC) against real
//! servers: the secret is shown once and stored only as its SHA-256; the list never carries a
//! secret; the last use is recorded; a deleted token gets 401 on its next request on every
//! process; other users' tokens are out of reach; bad input changes nothing.
use botect_client::{Botect, pb};
use botect_tests::{Server, TestDb, both_dbs, http, serde_json, sql_count, tenant};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

async fn call(
    server: &Server,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = http().request(method, server.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("JSON body")
    };
    (status, headers, body)
}

async fn list(server: &Server, token: &str) -> Vec<Value> {
    let (status, _, body) = call(
        server,
        reqwest::Method::GET,
        "/v1/account/tokens",
        token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().expect("a bare array").clone()
}

async fn create(server: &Server, token: &str, body: Value) -> (u16, Value) {
    let (status, headers, body) = call(
        server,
        reqwest::Method::POST,
        "/v1/account/tokens",
        token,
        Some(body),
    )
    .await;
    if status == 201 {
        assert_eq!(headers["cache-control"], "no-store");
    }
    (status, body)
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

async fn tokens_are_created_listed_and_deleted(db: TestDb) {
    let a = Server::start(&db).await;
    let b = Server::start(&db).await;
    let t = tenant(&db, &a, "Tokens").await;

    // Created with the existing token: the secret once, and it works at once everywhere.
    let (status, created) = create(&a, &t.token, json!({"name": "  provisioning "})).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["name"], "provisioning");
    let secret = created["token"].as_str().expect("the secret").to_string();
    assert_eq!(secret.len(), 43);
    let id = created["id"].as_u64().expect("id");
    assert!(
        created["created_at"]
            .as_str()
            .is_some_and(|s| s.ends_with('Z')),
        "{created}"
    );
    for server in [&a, &b] {
        let (status, _, body) =
            call(server, reqwest::Method::GET, "/v1/account", &secret, None).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["id"].as_i64(), Some(t.account_id));
    }

    // Only the hash is stored.
    assert_eq!(
        sql_count(
            &db,
            &format!(
                "SELECT COUNT(*) AS n FROM api_tokens WHERE id = {id} AND token_hash = '{}'",
                sha256_hex(&secret)
            )
        )
        .await,
        1
    );

    // Listed without any secret, oldest first, the last use recorded for both.
    let tokens = list(&b, &t.token).await;
    assert_eq!(
        tokens
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["tests", "provisioning"]
    );
    let text = serde_json::to_string(&tokens).unwrap();
    assert!(
        !text.contains(&secret) && !text.contains(&sha256_hex(&secret)),
        "{text}"
    );
    assert!(!text.contains(&t.token), "{text}");
    for token in &tokens {
        assert!(token.get("token").is_none(), "{token}");
        let keys: Vec<&String> = token.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["id", "name", "created_at", "last_used_at"],
            "{token}"
        );
        assert!(token["last_used_at"].as_str().is_some(), "{token}");
    }

    // Over gRPC: the same list.
    let botect = Botect::connect(a.base.clone()).await.unwrap();
    let listed = botect
        .account(&t.token)
        .unwrap()
        .list_api_tokens(pb::ListApiTokensRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.tokens.len(), 2);
    assert_eq!(listed.tokens[1].id as u64, id);
    assert!(listed.tokens[1].last_used_at.is_some());

    // Another user cannot see or delete it: 404, and the token still works.
    let other = tenant(&db, &a, "Other tokens").await;
    assert_eq!(list(&a, &other.token).await.len(), 1);
    let (status, _, body) = call(
        &a,
        reqwest::Method::DELETE,
        &format!("/v1/account/tokens/{id}"),
        &other.token,
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("NOT_FOUND")),
        "{body}"
    );
    let (status, _, _) = call(&b, reqwest::Method::GET, "/v1/account", &secret, None).await;
    assert_eq!(status, 200);

    // Deleted (by another of the user's tokens, on A): 401 at once on A and on B.
    let (status, _, body) = call(
        &a,
        reqwest::Method::DELETE,
        &format!("/v1/account/tokens/{id}"),
        &t.token,
        None,
    )
    .await;
    assert_eq!((status, body), (204, Value::Null));
    for server in [&a, &b] {
        let (status, _, body) =
            call(server, reqwest::Method::GET, "/v1/account", &secret, None).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (401, Some("UNAUTHENTICATED")),
            "{body}"
        );
    }
    assert_eq!(list(&b, &t.token).await.len(), 1);
    // Deleting it again: 404.
    let (status, _, body) = call(
        &b,
        reqwest::Method::DELETE,
        &format!("/v1/account/tokens/{id}"),
        &t.token,
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("NOT_FOUND")),
        "{body}"
    );

    // A token may delete itself; its own next request is refused.
    let (_, created) = create(&a, &t.token, json!({"name": "short-lived"})).await;
    let own = created["token"].as_str().unwrap().to_string();
    let own_id = created["id"].as_u64().unwrap();
    let (status, _, _) = call(
        &a,
        reqwest::Method::DELETE,
        &format!("/v1/account/tokens/{own_id}"),
        &own,
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _, _) = call(&b, reqwest::Method::GET, "/v1/account/tokens", &own, None).await;
    assert_eq!(status, 401);
}

async fn bad_token_input_changes_nothing(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Bad tokens").await;
    let before = sql_count(&db, "SELECT COUNT(*) AS n FROM api_tokens").await;
    for body in [
        json!({}),
        json!({"name": ""}),
        json!({"name": "   "}),
        json!({"name": "x".repeat(201)}),
        json!({"name": "line\nbreak"}),
        json!({"name": 7}),
    ] {
        let (status, err) = create(&server, &t.token, body.clone()).await;
        assert_eq!(status, 422, "{body}: {err}");
        assert_eq!(err["code"], "INVALID_PAYLOAD", "{body}: {err}");
        assert!(err["message"].as_str().unwrap().contains("name"), "{err}");
    }
    for path in [
        "/v1/account/tokens/0",
        "/v1/account/tokens/abc",
        "/v1/account/tokens/-1",
    ] {
        let (status, _, err) = call(&server, reqwest::Method::DELETE, path, &t.token, None).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (422, Some("INVALID_PAYLOAD")),
            "{path}: {err}"
        );
    }
    assert_eq!(
        sql_count(&db, "SELECT COUNT(*) AS n FROM api_tokens").await,
        before
    );
    assert_eq!(
        sql_count(
            &db,
            "SELECT COUNT(*) AS n FROM api_tokens WHERE revoked_at IS NOT NULL"
        )
        .await,
        0
    );
    // Other credentials never reach these endpoints.
    for key in [&t.site_key, &t.private_key] {
        let (status, _, _) = call(
            &server,
            reqwest::Method::GET,
            "/v1/account/tokens",
            key,
            None,
        )
        .await;
        assert_eq!(status, 401);
    }
}

both_dbs!(
    tokens_are_created_listed_and_deleted,
    bad_token_input_changes_nothing
);
