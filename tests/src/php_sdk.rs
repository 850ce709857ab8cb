//! What Botect's official PHP server SDK (`botect/botect-php`, server mode) sends, request for
//! request: every call with `Accept: application/json`, `Authorization: Bearer sk_…` and
//! `User-Agent: botect-sdk-php/0.1`, `Content-Type: application/json` only with a body;
//! `Idempotency-Key` on the ingest writes as 64 hex (a hash of the operation and the page
//! id); the verdict's query keys sorted and RFC 3986-encoded; session tokens it mints
//! itself (`sess_` + 48 hex). Tests drive a real server with it, over HTTP or HTTPS.
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The SDK's client: the API base URL (ending in `/v1`), the private key and the HTTP
/// client (one that trusts the test CA for HTTPS).
#[derive(Clone)]
pub struct PhpSdk {
    pub api_url: String,
    pub private_key: String,
    pub client: reqwest::Client,
}

/// A response: status, body (JSON, or `Null` when empty or not JSON) and headers.
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

/// A token as the SDK mints it: `sess_` + 48 lower-case hex from a CSPRNG.
pub fn mint_token() -> String {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("sess_{}{}", a, &b[..16])
}

/// A page id as the SDK makes one: 32 hex.
pub fn page_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The SDK's `Idempotency-Key`: SHA-256 hex of the operation and the page id.
pub fn idempotency_key(operation: &str, page_id: &str) -> String {
    hex::encode(Sha256::digest(format!("{operation}:{page_id}")))
}

/// RFC 3986 percent-encoding (unreserved characters kept), as PHP's `rawurlencode`.
fn rawurlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl PhpSdk {
    pub fn new(api_url: &str, private_key: &str, client: reqwest::Client) -> PhpSdk {
        PhpSdk {
            api_url: api_url.trim_end_matches('/').to_string(),
            private_key: private_key.to_string(),
            client,
        }
    }

    /// HMAC-SHA256 hex of `path` keyed with the private key (`path_hash`).
    pub fn path_hash(&self, path: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.private_key.as_bytes()).expect("any key length");
        mac.update(path.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// A page hit body as the SDK builds it for a Chrome page view of `path`.
    pub fn page_hit_body(&self, token: &str, page: &str, path: &str) -> Value {
        json!({
            "schema_version": 1,
            "page_id": page,
            "session_token": token,
            "occurred_at": "2026-09-08T00:00:00Z",
            "method": "GET",
            "path_hash": self.path_hash(path),
            "header_names": ["host", "user-agent", "cookie", "accept-language"],
            "languages": ["en-us", "en"],
            "had_session_cookie": false,
            "duration_ms": 27,
            "ja4": null,
            "observed_ip": "203.0.113.7",
            "observed_ip_source": "resolver",
            "observed_ip_inferred": false,
        })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.api_url))
            .header("accept", "application/json")
            .header("authorization", format!("Bearer {}", self.private_key))
            .header("user-agent", "botect-sdk-php/0.1")
    }

    async fn send(rb: reqwest::RequestBuilder) -> Answer {
        let r = rb.send().await.expect("request");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        Answer {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
            headers,
        }
    }

    /// `POST {api_url}/server/…` with a JSON body and an `Idempotency-Key`.
    pub async fn post_json(&self, path: &str, idempotency_key: &str, body: &Value) -> Answer {
        Self::send(
            self.request(reqwest::Method::POST, path)
                .header("content-type", "application/json")
                .header("idempotency-key", idempotency_key)
                .body(serde_json::to_vec(body).expect("json")),
        )
        .await
    }

    /// `POST /v1/server/page-hits`, keyed as the SDK keys it.
    pub async fn page_hit(&self, body: &Value) -> Answer {
        let page = body["page_id"].as_str().unwrap_or_default();
        self.post_json(
            "/server/page-hits",
            &idempotency_key("page-hit", page),
            body,
        )
        .await
    }

    /// `POST /v1/server/events`: a browser batch relayed by the backend.
    pub async fn relay(&self, token: &str, page: &str, events: Vec<Value>) -> Answer {
        let body = json!({
            "schema_version": 1,
            "page_id": page,
            "session_token": token,
            "events": events,
            "observed_ip": "203.0.113.7",
            "observed_ip_source": "resolver",
            "observed_ip_inferred": false,
        });
        let key = idempotency_key(&format!("events:{}", body["events"]), page);
        self.post_json("/server/events", &key, &body).await
    }

    /// `POST /v1/sessions/{token}/logged-in`: no body, no Content-Type.
    pub async fn logged_in(&self, token: &str) -> Answer {
        Self::send(self.request(
            reqwest::Method::POST,
            &format!("/sessions/{token}/logged-in"),
        ))
        .await
    }

    /// `GET /v1/sessions/{token}/verdict?country=…&ip=…&path=…&ua=…` (keys sorted).
    pub async fn verdict(&self, token: &str, ctx: &[(&str, &str)]) -> Answer {
        let mut ctx = ctx.to_vec();
        ctx.sort();
        let query: Vec<String> = ctx
            .iter()
            .map(|(k, v)| format!("{}={}", rawurlencode(k), rawurlencode(v)))
            .collect();
        let q = if query.is_empty() {
            String::new()
        } else {
            format!("?{}", query.join("&"))
        };
        Self::send(self.request(
            reqwest::Method::GET,
            &format!("/sessions/{token}/verdict{q}"),
        ))
        .await
    }
}

/// The events of a person's page as the hosted collector 1.5.0 sends them through the SDK's
/// relay: collector vocabulary only, `null` for what it did not measure, no proof.
pub fn collector_events() -> Vec<Value> {
    vec![
        crate::event(
            &crate::rid(),
            "page",
            json!({"collector_version": "1.5.0", "page_path_hash": "9f86d081884c7d65", "visibility_changes": null, "scroll_max_depth_pct": null}),
        ),
        crate::event(
            &crate::rid(),
            "js_probe",
            json!({"collector_version": "1.5.0", "js_passed": true, "webdriver": false, "headless": false, "headless_ua": null,
                   "zero_viewport": false, "missing_plugins": null, "navigator_anomaly": false, "plugins": [],
                   "languages": ["en-US", "en"], "pointer_types": ["mouse"], "max_touch_points": 0, "coarse_pointer": 0}),
        ),
        crate::event(
            &crate::rid(),
            "mouse",
            json!({"collector_version": "1.5.0", "mouse_entropy": 0.74, "mouse_moves": 128, "pointer_moves": null, "click_events": 2}),
        ),
    ]
}

async fn page_hits(db: &crate::TestDb, project: i64) -> i64 {
    crate::sql_count(
        db,
        &format!("SELECT COUNT(*) AS n FROM page_hits WHERE project_id = {project}"),
    )
    .await
}

/// The project of a private key (by its stored hash).
async fn project_of(db: &crate::TestDb, private_key: &str) -> i64 {
    let hash = hex::encode(Sha256::digest(private_key.as_bytes()));
    crate::sql_count(
        db,
        &format!(
            "SELECT CAST(project_id AS BIGINT) AS n FROM scoring WHERE private_key_hash = '{hash}'"
        ),
    )
    .await
}

/// A verdict's `detection_ids` as numbers.
pub fn detection_ids(v: &Value) -> Vec<u64> {
    v["detection_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap())
        .collect()
}

/// Every call the SDK makes in server mode, as it makes them, with the answers it expects:
/// a page hit (adopting the backend's token), its replay and key reuse, a duplicate page id,
/// the logged-in assertion, the fail-open verdict before the first batch, a relayed batch and
/// its replay, and the person's verdict. Returns the session's token.
pub async fn official_sdk_calls(
    db: &crate::TestDb,
    server: &crate::Server,
    sdk: &PhpSdk,
) -> String {
    let t_project = project_of(db, &sdk.private_key).await;
    let token = mint_token();
    let page = page_id();

    // The page hit, exactly as the SDK sends it: adopted as the project's session.
    let body = sdk.page_hit_body(&token, &page, "/pricing?plan=pro");
    let first = sdk.page_hit(&body).await;
    assert_eq!(first.status, 202, "{}", first.body);
    assert_eq!(
        first.body,
        json!({"session_token": token, "duplicate": false})
    );
    assert_eq!(first.headers["cache-control"], "no-store");
    // A replay with the same key answers the same and stores nothing more.
    let replay = sdk.page_hit(&body).await;
    assert_eq!((replay.status, &replay.body), (202, &first.body));
    assert_eq!(page_hits(db, t_project).await, 1);
    // The key with another body is refused; the same page id without a key is a duplicate.
    let mut other = body.clone();
    other["duration_ms"] = json!(31);
    let reused = sdk.page_hit(&other).await;
    assert_eq!(
        (reused.status, reused.body["code"].as_str()),
        (422, Some("IDEMPOTENCY_KEY_REUSED")),
        "{}",
        reused.body
    );
    let again = sdk
        .post_json("/server/page-hits", &idempotency_key("x", &page), &other)
        .await;
    assert_eq!(
        (again.status, &again.body["duplicate"]),
        (202, &json!(true))
    );
    assert_eq!(page_hits(db, t_project).await, 1);

    // The assertion can now find the session (it 404s only before the first page hit).
    let a = sdk.logged_in(&token).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["logged_in"], true);
    assert!(a.body["asserted_at"].as_str().unwrap().ends_with('Z'));
    // Not scored before the browser's first batch: the fail-open body.
    let v = sdk
        .verdict(
            &token,
            &[
                ("ua", "Mozilla/5.0"),
                ("path", "/a b"),
                ("ip", "203.0.113.7"),
                ("country", "DE"),
            ],
        )
        .await;
    assert_eq!(
        (v.status, v.body["verdict"].as_str()),
        (200, Some("not_computed"))
    );

    // The browser's batch, relayed (collector vocabulary, nulls for what it did not
    // measure, no proof): stored under the backend's token and scored as a person.
    let events = collector_events();
    let relayed = sdk.relay(&token, &page, events.clone()).await;
    assert_eq!(relayed.status, 202, "{}", relayed.body);
    assert_eq!(
        relayed.body,
        json!({"session_token": token, "accepted": 3, "duplicates": 0})
    );
    let replayed = sdk.relay(&token, &page, events).await;
    assert_eq!((replayed.status, &replayed.body), (202, &relayed.body));
    let v = crate::verdict_until(server, &sdk.private_key, &token, |v| {
        v["verdict"] != "not_computed"
    })
    .await;
    assert_eq!(v["verdict"], "likely_human", "{v}");
    assert_eq!(v["action"], "allow", "{v}");
    assert!(detection_ids(&v).is_empty(), "{v}");
    // `null` was stored as absent.
    let nulls = crate::sql_count(
        db,
        &format!(
            "SELECT COUNT(*) AS n FROM events e JOIN sessions s ON s.id = e.session_id \
             WHERE s.token = '{token}' AND e.payload LIKE '%null%'"
        ),
    )
    .await;
    assert_eq!(nulls, 0);
    // Through the SDK's verdict call too (sorted, encoded query).
    let v2 = sdk
        .verdict(
            &token,
            &[
                ("ua", "Mozilla/5.0 (X11)"),
                ("path", "/pricing"),
                ("ip", "203.0.113.7"),
                ("country", "DE"),
            ],
        )
        .await;
    assert_eq!((v2.status, &v2.body["verdict"]), (200, &v["verdict"]));
    token
}
