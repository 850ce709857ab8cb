//! The auth matrix and the routing check, generated from the server's own `/openapi.json`:
//! every documented operation, whatever it is, is checked, so a new endpoint is covered the
//! day it is documented.
//!
//! For each operation:
//! - no credential, and every credential of another kind, is `401 UNAUTHENTICATED` (a
//!   credential of one kind never works for another kind's endpoints); operations without a
//!   security requirement answer without one;
//! - another account's token on this account's project is `403 FORBIDDEN`; another
//!   project's private key reads this project's session as the fail-open body (and a write
//!   about it is `404 UNKNOWN_SESSION`);
//! - the right credential reaches the handler (not 401/403, not the router's 404 or 405);
//! - with the account's subscription ended, exactly the operations that document `402`
//!   answer `402 NO_ACTIVE_SUBSCRIPTION` (the methods' `(errors)` options decide it);
//! - every other method on the same path is `405 METHOD_NOT_ALLOWED`.
use botect_tests::{
    Server, Tenant, TestDb, both_dbs, event, http, ingest, rid, serde_json, tenant,
};
use reqwest::Method;
use serde_json::{Value, json};

/// What a documented operation needs.
struct Op {
    method: Method,
    template: String,
    /// Security scheme names (any one of them suffices); empty: no credential.
    schemes: Vec<String>,
    body: bool,
    /// Documents `402` (the method lists `NO_ACTIVE_SUBSCRIPTION`).
    needs_subscription: bool,
}

fn operations(doc: &Value) -> Vec<Op> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (verb, op) in item.as_object().expect("path item") {
            let schemes = op["security"]
                .as_array()
                .map(|reqs| {
                    reqs.iter()
                        .flat_map(|r| r.as_object().unwrap().keys().cloned())
                        .collect()
                })
                .unwrap_or_default();
            ops.push(Op {
                method: verb.to_uppercase().parse().expect("HTTP method"),
                template: path.clone(),
                schemes,
                body: op.get("requestBody").is_some(),
                needs_subscription: op["responses"].get("402").is_some(),
            });
        }
    }
    ops
}

/// A tenant with a rule and a scored-or-pending session, so that every path variable has a
/// real value.
struct Fixture {
    t: Tenant,
    rule: i64,
    session: String,
    /// A second API token of the tenant's user (`{id}` of the token endpoints; deleting
    /// it leaves the fixture's own token working).
    spare_token: i64,
}

async fn fixture(db: &TestDb, server: &Server, name: &str) -> Fixture {
    let t = tenant(db, server, name).await;
    let rule: Value = http()
        .post(server.url(&format!("/v1/projects/{}/rules", t.project)))
        .bearer_auth(&t.token)
        .json(&json!({"name": "r", "expression": "score < 5", "action": "log"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (status, ack) = ingest(
        server,
        &t.site_key,
        None,
        vec![event(&rid(), "page", json!({}))],
    )
    .await;
    assert_eq!(status, 202, "{ack}");
    let spare: Value = http()
        .post(server.url("/v1/account/tokens"))
        .bearer_auth(&t.token)
        .json(&json!({"name": "spare"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Fixture {
        spare_token: spare["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("token: {spare}")),
        rule: rule["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("rule: {rule}")),
        session: ack["session_token"].as_str().unwrap().to_string(),
        t,
    }
}

impl Fixture {
    fn path(&self, template: &str) -> String {
        template
            .replace("{project}", &self.t.project.to_string())
            .replace("{rule}", &self.rule.to_string())
            .replace("{session_token}", &self.session)
            .replace("{id}", &self.spare_token.to_string())
    }

    /// The header that presents this fixture's credential of `scheme`.
    fn credential(&self, scheme: &str) -> (&'static str, String) {
        match scheme {
            "accountToken" => ("authorization", format!("Bearer {}", self.t.token)),
            "siteKey" => ("x-botect-site-key", self.t.site_key.clone()),
            "privateKey" => ("authorization", format!("Bearer {}", self.t.private_key)),
            "privateKeyHeader" => ("x-botect-private-key", self.t.private_key.clone()),
            other => panic!("unknown security scheme {other}: add it to the matrix"),
        }
    }
}

/// The three kinds of credential (a scheme of each).
const KINDS: [&str; 3] = ["accountToken", "siteKey", "privateKey"];

/// The kind a scheme belongs to.
fn kind(scheme: &str) -> &str {
    if scheme == "privateKeyHeader" {
        "privateKey"
    } else {
        scheme
    }
}

async fn call(
    server: &Server,
    op: &Op,
    path: &str,
    header: Option<(&str, String)>,
) -> (u16, Value) {
    let mut req = http().request(op.method.clone(), server.url(path));
    if let Some((name, value)) = header {
        req = req.header(name, value);
    }
    if op.body {
        req = req.json(&json!({}));
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn is_route_miss(status: u16, body: &Value) -> bool {
    status == 405 || (status == 404 && body["message"] == "No such endpoint.")
}

async fn every_documented_operation_is_guarded_and_routed(db: TestDb) {
    let server = Server::start(&db).await;
    let doc: Value = http()
        .get(server.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ops = operations(&doc);
    assert!(ops.len() >= 20, "only {} operations documented", ops.len());
    let a = fixture(&db, &server, "MatrixA").await;
    let b = fixture(&db, &server, "MatrixB").await;

    for op in &ops {
        let what = format!("{} {}", op.method, op.template);
        let path = a.path(&op.template);
        if op.schemes.is_empty() {
            let (status, body) = call(&server, op, &path, None).await;
            assert_eq!(status, 200, "{what} without a credential: {body}");
            continue;
        }
        // No credential, and every credential of another kind: 401.
        let (status, body) = call(&server, op, &path, None).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (401, Some("UNAUTHENTICATED")),
            "{what} without a credential: {body}"
        );
        let accepted: Vec<&str> = op.schemes.iter().map(|s| kind(s)).collect();
        for other in KINDS.iter().filter(|k| !accepted.contains(k)) {
            let (status, body) = call(&server, op, &path, Some(a.credential(other))).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (401, Some("UNAUTHENTICATED")),
                "{what} with a {other}: {body}"
            );
        }
        // Another account or project.
        if accepted.contains(&"accountToken") && op.template.contains("{project}") {
            let (status, body) = call(&server, op, &path, Some(b.credential("accountToken"))).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (403, Some("FORBIDDEN")),
                "{what} with another account's token: {body}"
            );
        }
        // Another project's key never reaches this project's session: a read gets the
        // fail-open body, an assertion `404 UNKNOWN_SESSION`. Server-side ingest names its
        // session in the body (the empty one here is refused; another project's token is
        // tested in server_ingest.rs).
        if accepted.contains(&"privateKey") && op.template.starts_with("/v1/server/") {
            let (status, body) = call(&server, op, &path, Some(b.credential("privateKey"))).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (422, Some("INVALID_PAYLOAD")),
                "{what} with another project's key: {body}"
            );
        } else if accepted.contains(&"privateKey") {
            let (status, body) = call(&server, op, &path, Some(b.credential("privateKey"))).await;
            if op.method == Method::GET {
                assert_eq!(
                    (status, &body),
                    (200, &botect_tests::fail_open()),
                    "{what} with another project's key"
                );
            } else {
                assert_eq!(
                    (status, body["code"].as_str()),
                    (404, Some("UNKNOWN_SESSION")),
                    "{what} with another project's key: {body}"
                );
            }
        }
        // Every accepted scheme reaches the handler, on a tenant of its own (the call may
        // delete, disable or rotate).
        for scheme in &op.schemes {
            let own = fixture(&db, &server, "MatrixOwn").await;
            let (status, body) = call(
                &server,
                op,
                &own.path(&op.template),
                Some(own.credential(scheme)),
            )
            .await;
            assert!(
                !matches!(status, 401 | 403) && !is_route_miss(status, &body),
                "{what} with its {scheme}: {status} {body}"
            );
        }
    }

    // Subscription: with the account's subscription ended, the operations that document
    // 402 answer it; the others do not.
    let lapsed = fixture(&db, &server, "MatrixLapsed").await;
    db.cli(&[
        "subscription",
        "set",
        "--account",
        &lapsed.t.account_id.to_string(),
        "--active",
        "false",
    ])
    .await;
    let mut documented = 0;
    for op in ops.iter().filter(|op| !op.schemes.is_empty()) {
        let what = format!("{} {}", op.method, op.template);
        let scheme = &op.schemes[0];
        let path = lapsed.path(&op.template);
        let (status, body) = call(&server, op, &path, Some(lapsed.credential(scheme))).await;
        if op.needs_subscription {
            documented += 1;
            assert_eq!(
                (status, body["code"].as_str()),
                (402, Some("NO_ACTIVE_SUBSCRIPTION")),
                "{what} without a subscription: {body}"
            );
        } else {
            assert_ne!(status, 402, "{what} documents no 402: {body}");
        }
    }
    assert!(
        documented >= 15,
        "only {documented} operations document 402"
    );

    // Routing: every method a documented path does not list is 405 on that path.
    let all = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
    ];
    for (template, item) in doc["paths"].as_object().unwrap() {
        let path = a.path(template);
        for m in all
            .iter()
            .filter(|m| item.get(m.as_str().to_lowercase()).is_none())
        {
            let r = http()
                .request(m.clone(), server.url(&path))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            assert_eq!(
                (status, body["code"].as_str()),
                (405, Some("METHOD_NOT_ALLOWED")),
                "{m} {template} is not documented: {body}"
            );
        }
    }
}

both_dbs!(every_documented_operation_is_guarded_and_routed);
