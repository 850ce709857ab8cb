//! The OpenAPI document and Swagger UI of a real server: `GET /openapi.json` is a
//! self-contained OpenAPI 3.1 document covering every contract endpoint with the right
//! security, and `/docs` serves the Swagger UI page. Touches no storage beyond starting the
//! server, so SQLite only.
use botect_tests::{DbKind, Server, TestDb, http, serde_json};
use serde_json::{Value, json};

/// Every `$ref` value anywhere in the document, with where it was found.
fn refs(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref" {
                    out.push((at.to_string(), x.as_str().expect("$ref string").to_string()));
                } else {
                    refs(x, &format!("{at}/{k}"), out);
                }
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                refs(x, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

async fn fetch_document(server: &Server) -> Value {
    let r = http()
        .get(server.url("/openapi.json"))
        .send()
        .await
        .expect("GET /openapi.json");
    assert_eq!(r.status(), 200);
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(ct.starts_with("application/json"), "content-type {ct}");
    r.json().await.expect("OpenAPI JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_covers_the_contract() {
    let db = TestDb::new(DbKind::Sqlite).await;
    let server = Server::start(&db).await;
    let doc = fetch_document(&server).await;

    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "Botect API");
    assert!(doc["info"]["version"].is_string());

    // Every $ref resolves to a JSON pointer inside the document.
    let mut all = Vec::new();
    refs(&doc, "#", &mut all);
    assert!(!all.is_empty());
    for (at, r) in &all {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{at}: non-local $ref {r}"));
        assert!(
            doc.pointer(pointer).is_some(),
            "{at}: $ref {r} does not resolve"
        );
    }

    // Every contract endpoint, with the security of its credential.
    let account = json!([{"accountToken": []}]);
    let endpoints = [
        ("post", "/v1/events", json!([{"siteKey": []}])),
        (
            "get",
            "/v1/sessions/{session_token}/verdict",
            json!([{"privateKey": []}, {"privateKeyHeader": []}]),
        ),
        ("post", "/v1/projects/{project}/scoring", account.clone()),
        ("get", "/v1/projects/{project}/scoring", account.clone()),
        ("delete", "/v1/projects/{project}/scoring", account.clone()),
        (
            "put",
            "/v1/projects/{project}/scoring/settings",
            account.clone(),
        ),
        (
            "post",
            "/v1/projects/{project}/scoring/rotate",
            account.clone(),
        ),
        ("get", "/v1/account", account.clone()),
        ("get", "/user", account.clone()),
        ("post", "/v1/projects", account.clone()),
        ("get", "/v1/projects", account.clone()),
        ("get", "/v1/projects/{project}", account.clone()),
        ("delete", "/v1/projects/{project}", account.clone()),
    ];
    let schemes = &doc["components"]["securitySchemes"];
    for (verb, path, security) in &endpoints {
        let op = &doc["paths"][path][verb];
        assert!(op.is_object(), "{verb} {path} is not documented");
        assert!(op["operationId"].is_string(), "{verb} {path}");
        assert_eq!(&op["security"], security, "{verb} {path}");
        for requirement in security.as_array().unwrap() {
            for name in requirement.as_object().unwrap().keys() {
                assert!(schemes[name].is_object(), "security scheme {name} missing");
            }
        }
        let responses = op["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{verb} {path} has no success response"
        );
    }
    assert_eq!(schemes["accountToken"]["type"], "http");
    assert_eq!(schemes["accountToken"]["scheme"], "bearer");
    assert_eq!(schemes["privateKey"]["type"], "http");
    assert_eq!(schemes["privateKey"]["scheme"], "bearer");
    assert_eq!(schemes["privateKeyHeader"]["type"], "apiKey");
    assert_eq!(schemes["privateKeyHeader"]["in"], "header");
    assert_eq!(schemes["privateKeyHeader"]["name"], "X-Botect-Private-Key");
    assert_eq!(schemes["siteKey"]["type"], "apiKey");
    assert_eq!(schemes["siteKey"]["in"], "header");
    assert_eq!(schemes["siteKey"]["name"], "X-Botect-Site-Key");

    // Ingest: 202, 413 and 422 in the flat error shape, and the Idempotency-Key header.
    let ingest = &doc["paths"]["/v1/events"]["post"];
    for status in ["202", "413", "422"] {
        assert!(
            ingest["responses"][status].is_object(),
            "POST /v1/events lacks {status}"
        );
    }
    assert!(ingest["responses"].get("200").is_none());
    for status in ["413", "422"] {
        let schema =
            ingest["responses"][status]["content"]["application/json"]["schema"].to_string();
        assert!(
            schema.contains("#/components/schemas/Error"),
            "{status}: {schema}"
        );
    }
    assert!(
        ingest["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"),
        "{ingest}"
    );
    let codes = &doc["components"]["schemas"]["Error"]["properties"]["code"]["enum"];
    for code in [
        "UNAUTHENTICATED",
        "NO_ACTIVE_SUBSCRIPTION",
        "FEATURE_NOT_AVAILABLE",
        "FORBIDDEN",
        "NOT_FOUND",
        "SCORING_NOT_ENABLED",
        "INVALID_PAYLOAD",
        "IDEMPOTENCY_KEY_REUSED",
        "PAYLOAD_TOO_LARGE",
    ] {
        assert!(
            codes.as_array().unwrap().contains(&json!(code)),
            "{code}: {codes}"
        );
    }

    // Bare array for ListProjects; no body for 204s.
    let list = &doc["paths"]["/v1/projects"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    assert_eq!(list["type"], "array", "{list}");
    let deleted = &doc["paths"]["/v1/projects/{project}"]["delete"]["responses"]["204"];
    assert!(deleted.is_object() && deleted.get("content").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swagger_ui_is_served_at_docs() {
    let db = TestDb::new(DbKind::Sqlite).await;
    let server = Server::start(&db).await;
    let c = http();
    for path in ["/docs", "/docs/"] {
        let r = c.get(server.url(path)).send().await.expect("GET docs");
        assert_eq!(r.status(), 200, "{path}");
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
        let html = r.text().await.unwrap();
        assert!(html.contains("swagger-ui"), "{path}: {html}");
    }
    // The UI is configured with the served document.
    let init = c
        .get(server.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(init.status(), 200);
    assert!(init.text().await.unwrap().contains("/openapi.json"));
    let bundle = c
        .get(server.url("/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), 200, "vendored assets are served");
}

/// Path variables win, on every REST route of the document: the same field in the query
/// string (proto name or lowerCamelCase alias) or in the JSON body is a 422 naming it, and
/// nothing reaches the service (the answer comes before any credential check).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_variables_cannot_be_overridden_on_any_route() {
    let db = TestDb::new(DbKind::Sqlite).await;
    let server = Server::start(&db).await;
    let doc = fetch_document(&server).await;
    let mut checked = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        let vars: Vec<&str> = template
            .split('{')
            .skip(1)
            .filter_map(|s| s.split('}').next())
            .collect();
        if vars.is_empty() {
            continue;
        }
        let path = vars.iter().fold(template.clone(), |p, v| {
            let value = if *v == "session_token" {
                "sess_path"
            } else {
                "1"
            };
            p.replace(&format!("{{{v}}}"), value)
        });
        for (method, op) in item.as_object().unwrap() {
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            for var in &vars {
                let camel = var
                    .split('_')
                    .enumerate()
                    .map(|(i, w)| {
                        if i == 0 {
                            w.to_string()
                        } else {
                            w[..1].to_uppercase() + &w[1..]
                        }
                    })
                    .collect::<String>();
                let other = if *var == "session_token" {
                    "sess_other"
                } else {
                    "2"
                };
                let mut attempts = vec![
                    format!("{path}?{var}={other}"),
                    format!("{path}?{camel}={other}"),
                ];
                attempts.dedup();
                for url in attempts {
                    let r = http()
                        .request(method.clone(), server.url(&url))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 422, "{method} {url}");
                    let e: Value = r.json().await.unwrap();
                    assert_eq!(e["code"], "INVALID_PAYLOAD", "{method} {url}: {e}");
                    let field = e["details"]["field"].as_str().unwrap_or_default();
                    assert!(field == *var || field == camel, "{method} {url}: {e}");
                    checked += 1;
                }
                if op.get("requestBody").is_some() {
                    let r = http()
                        .request(method.clone(), server.url(&path))
                        .json(&json!({ *var: other }))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status(), 422, "{method} {path} body {var}");
                    let e: Value = r.json().await.unwrap();
                    assert_eq!(e["details"]["field"], *var, "{method} {path}: {e}");
                    checked += 1;
                }
            }
        }
    }
    assert!(
        checked >= 20,
        "only {checked} cases: the document lost its path variables?"
    );
    // A method with a body takes its fields there only: any query parameter is refused.
    let r = http()
        .put(server.url("/v1/projects/1/scoring/settings?block_definite=true"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["details"]["field"], "block_definite", "{e}");
}

/// Ids in paths are what the document says: decimal 1 to 2147483647, no sign, no leading
/// zeros; anything else is a 422 naming the variable, before any credential check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_ids_match_the_documented_range() {
    let db = TestDb::new(DbKind::Sqlite).await;
    let server = Server::start(&db).await;
    let doc = fetch_document(&server).await;
    let param = doc["paths"]["/v1/projects/{project}"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "project")
        .unwrap()
        .clone();
    assert_eq!(param["schema"]["minimum"], 1, "{param}");
    assert_eq!(param["schema"]["maximum"], 2147483647, "{param}");
    for bad in [
        "+1",
        "01",
        "0",
        "-1",
        "2147483648",
        "4294967295",
        "abc",
        "1.0",
    ] {
        let url = server.url(&format!("/v1/projects/{bad}"));
        let r = http().get(&url).send().await.unwrap();
        assert_eq!(r.status(), 422, "{bad}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["details"]["field"], "project", "{bad}: {e}");
        let r = http()
            .delete(server.url(&format!("/v1/projects/1/rules/{bad}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "rule {bad}");
    }
    // The largest id is valid input (here: no credential, so 401).
    let r = http()
        .get(server.url("/v1/projects/2147483647"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

/// Errors from below the API (a missing file of the Swagger UI) have the flat JSON body too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_outside_the_api_have_the_flat_body() {
    let db = TestDb::new(DbKind::Sqlite).await;
    let server = Server::start(&db).await;
    for path in ["/docs/no-such-file.js", "/no/such/endpoint"] {
        let r = http().get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{path}"
        );
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["code"], "NOT_FOUND", "{path}: {e}");
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

/// The document states the limits the server enforces on request fields.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_limits_are_in_the_document() {
    let db = TestDb::new(DbKind::Sqlite).await;
    let server = Server::start(&db).await;
    let doc = fetch_document(&server).await;
    let c = &doc["components"]["schemas"];
    let events = &c["IngestEventsRequest"]["properties"]["events"];
    assert_eq!(
        (events["minItems"].as_u64(), events["maxItems"].as_u64()),
        (Some(1), Some(100))
    );
    assert_eq!(
        c["Event"]["properties"]["request_id"]["pattern"],
        "^[A-Za-z0-9_-]{1,128}$"
    );
    assert!(
        c["Event"]["properties"]["received_at"]["pattern"]
            .as_str()
            .unwrap()
            .ends_with("Z$")
    );
    assert_eq!(
        c["CreateProjectRequest"]["properties"]["name"]["maxLength"],
        200
    );
    let settings = &c["UpdateScoringSettingsRequestBody"]["properties"];
    assert_eq!(
        (
            settings["likely_bot_threshold"]["minimum"].as_u64(),
            settings["likely_bot_threshold"]["maximum"].as_u64()
        ),
        (Some(1), Some(99))
    );
    assert_eq!(settings["challenge_difficulty"]["maximum"], 24);
    // A proof is never refused, so the document does not constrain it.
    assert!(
        c["Integrity"]["properties"]["nonce"]
            .get("pattern")
            .is_none()
    );
}
