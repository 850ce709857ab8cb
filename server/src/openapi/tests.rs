//! Tests of the OpenAPI document: structure, every operation and schema against what the
//! server emits (validated with the `jsonschema` crate), errors and descriptions.

use botect_proto::v1 as pb;

use super::*;
use crate::error::ApiError;

/// The JSON the REST transport emits for a message (pbjson / json.rs).
fn to<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("serializes")
}

fn doc() -> Value {
    serde_json::to_value(document()).expect("document serializes")
}

/// Resolves a local JSON pointer (`#/components/schemas/X`).
fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "$ref" {
                    out.push(v.as_str().expect("$ref is a string").to_string());
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Marks every object schema strict (`unevaluatedProperties: false`: every key the
/// server emits must be documented), except the members of an `allOf`, whose union the
/// enclosing schema checks.
fn strict(schema: &mut Value, in_all_of: bool) {
    match schema {
        Value::Object(m) => {
            let object_like = m.contains_key("properties") || m.contains_key("allOf");
            if object_like && !in_all_of && !m.contains_key("additionalProperties") {
                m.insert("unevaluatedProperties".into(), Value::Bool(false));
            }
            for (k, v) in m.iter_mut() {
                if k == "allOf" {
                    for member in v.as_array_mut().into_iter().flatten() {
                        strict(member, true);
                    }
                } else {
                    strict(v, false);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| strict(v, false)),
        _ => {}
    }
}

/// A JSON Schema 2020-12 validator (the `jsonschema` crate) for `schema`, resolving its
/// `$ref`s in the document's components; strict objects, and `date-time` must be RFC 3339
/// in UTC with `Z`.
fn validator(doc: &Value, schema: &Value) -> jsonschema::Validator {
    let mut root = serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"].clone(),
        "allOf": [schema.clone()],
    });
    strict(&mut root["components"], false);
    strict(&mut root["allOf"][0], false);
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .with_format("date-time", |s: &str| {
            s.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(s).is_ok()
        })
        .build(&root)
        .unwrap_or_else(|e| panic!("not a valid JSON Schema: {e}: {schema}"))
}

fn check(doc: &Value, schema: &Value, v: &Value) -> Result<(), String> {
    validator(doc, schema)
        .validate(v)
        .map_err(|e| format!("{}: {e}", e.instance_path()))
}

fn component(doc: &Value, name: &str) -> Value {
    doc["components"]["schemas"][name].clone()
}

fn op<'a>(doc: &'a Value, path: &str, verb: &str) -> &'a Value {
    let o = &doc["paths"][path][verb];
    assert!(o.is_object(), "{verb} {path} missing");
    o
}

fn success_schema(doc: &Value, path: &str, verb: &str, status: &str) -> Value {
    op(doc, path, verb)["responses"][status]["content"][JSON]["schema"].clone()
}

fn body_schema(doc: &Value, path: &str, verb: &str) -> Value {
    op(doc, path, verb)["requestBody"]["content"][JSON]["schema"].clone()
}

fn valid(doc: &Value, schema: &Value, v: Value) {
    if let Err(e) = check(doc, schema, &v) {
        panic!("{v} does not match {schema}: {e}");
    }
}

fn invalid(doc: &Value, schema: &Value, v: Value) {
    assert!(
        check(doc, schema, &v).is_err(),
        "{v} unexpectedly matches {schema}"
    );
}

#[test]
fn openapi_document_is_3_1_with_info_and_servers() {
    let d = doc();
    assert_eq!(d["openapi"], "3.1.0");
    assert_eq!(d["info"]["title"], "Botect API");
    assert_eq!(d["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(d["servers"], json!([{"url": "/"}]));
}

#[test]
fn openapi_every_ref_resolves() {
    let d = doc();
    let mut refs = Vec::new();
    collect_refs(&d, &mut refs);
    assert!(refs.len() > 10, "{refs:?}");
    for r in refs {
        assert!(resolve(&d, &r).is_some(), "dangling $ref {r}");
    }
}

#[test]
fn openapi_one_operation_per_annotated_method() {
    let d = doc();
    let pool = DescriptorPool::decode(botect_proto::FILE_DESCRIPTOR_SET).unwrap();
    let http = pool.get_extension_by_name("google.api.http").unwrap();
    let mut ids = BTreeSet::new();
    for s in pool.services().filter(|s| s.package_name() == PACKAGE) {
        for m in s.methods() {
            if m.options().has_extension(&http) {
                ids.insert(m.name().to_string());
            }
        }
    }
    let mut found = BTreeSet::new();
    for (path, item) in d["paths"].as_object().unwrap() {
        for (verb, o) in item.as_object().unwrap() {
            let id = o["operationId"].as_str().unwrap().to_string();
            assert!(found.insert(id.clone()), "duplicate operationId {id}");
            let service = o["x-grpc-method"].as_str().unwrap();
            assert!(service.ends_with(&format!("/{id}")), "{verb} {path}");
            assert_eq!(o["tags"].as_array().unwrap().len(), 1);
        }
    }
    assert_eq!(found, ids);
    assert!(ids.len() >= 13, "{ids:?}");
}

#[test]
fn openapi_contract_paths_with_security() {
    let d = doc();
    let account = json!([{ACCOUNT_TOKEN: []}]);
    for (path, verb, id, security) in [
        (
            "/v1/events",
            "post",
            "IngestEvents",
            json!([{SITE_KEY: []}]),
        ),
        (
            "/v1/sessions/{session_token}/verdict",
            "get",
            "GetVerdict",
            json!([{PRIVATE_KEY: []}, {PRIVATE_KEY_HEADER: []}]),
        ),
        (
            "/v1/projects/{project}/scoring",
            "post",
            "EnableScoring",
            account.clone(),
        ),
        (
            "/v1/projects/{project}/scoring",
            "get",
            "GetScoring",
            account.clone(),
        ),
        (
            "/v1/projects/{project}/scoring",
            "delete",
            "DisableScoring",
            account.clone(),
        ),
        (
            "/v1/projects/{project}/scoring/settings",
            "put",
            "UpdateScoringSettings",
            account.clone(),
        ),
        (
            "/v1/projects/{project}/scoring/rotate",
            "post",
            "RotateKey",
            account.clone(),
        ),
        ("/v1/account", "get", "GetAccount", account.clone()),
        ("/user", "get", "GetUser", account.clone()),
        ("/v1/projects", "post", "CreateProject", account.clone()),
        ("/v1/projects", "get", "ListProjects", account.clone()),
        (
            "/v1/projects/{project}",
            "get",
            "GetProject",
            account.clone(),
        ),
        (
            "/v1/projects/{project}",
            "delete",
            "DeleteProject",
            account.clone(),
        ),
    ] {
        let o = op(&d, path, verb);
        assert_eq!(o["operationId"], id, "{verb} {path}");
        assert_eq!(o["security"], security, "{verb} {path}");
        for scheme in o["security"].as_array().unwrap() {
            for name in scheme.as_object().unwrap().keys() {
                assert!(
                    d["components"]["securitySchemes"][name].is_object(),
                    "{name}"
                );
            }
        }
    }
    let schemes = &d["components"]["securitySchemes"];
    assert_eq!(schemes[ACCOUNT_TOKEN]["type"], "http");
    assert_eq!(schemes[ACCOUNT_TOKEN]["scheme"], "bearer");
    assert_eq!(schemes[PRIVATE_KEY]["scheme"], "bearer");
    assert!(
        schemes[PRIVATE_KEY]["description"]
            .as_str()
            .unwrap()
            .contains("X-Botect-Private-Key")
    );
    assert_eq!(
        schemes[PRIVATE_KEY_HEADER],
        json!({"type": "apiKey", "in": "header", "name": "X-Botect-Private-Key",
               "description": schemes[PRIVATE_KEY_HEADER]["description"]})
    );
    assert_eq!(schemes[SITE_KEY]["in"], "header");
    assert_eq!(schemes[SITE_KEY]["name"], "X-Botect-Site-Key");
}

#[test]
fn openapi_ingest_statuses_header_and_body() {
    let d = doc();
    let o = op(&d, "/v1/events", "post");
    let responses = o["responses"].as_object().unwrap();
    for status in ["202", "401", "402", "413", "422", "default"] {
        assert!(responses.contains_key(status), "{status}: {responses:?}");
    }
    assert!(!responses.contains_key("200"));
    assert_eq!(
        o["responses"]["422"]["content"][JSON]["schema"]["allOf"][1]["properties"]["code"]["enum"],
        json!(["INVALID_PAYLOAD", "IDEMPOTENCY_KEY_REUSED"])
    );
    assert_eq!(
        o["responses"]["413"]["content"][JSON]["examples"]["PAYLOAD_TOO_LARGE"]["value"]["code"],
        "PAYLOAD_TOO_LARGE"
    );
    let params = o["parameters"].as_array().unwrap();
    assert!(
        params
            .iter()
            .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"),
        "{params:?}"
    );
    assert_eq!(
        body_schema(&d, "/v1/events", "post")["$ref"],
        "#/components/schemas/IngestEventsRequest"
    );
    assert_eq!(o["requestBody"]["required"], true);
    // Only the ingest writes take the Idempotency-Key header.
    let mut header_ops: Vec<&String> = d["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, item)| {
            item.as_object().unwrap().values().any(|o| {
                o["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"))
            })
        })
        .map(|(path, _)| path)
        .collect();
    header_ops.sort();
    assert_eq!(
        header_ops,
        ["/v1/events", "/v1/server/events", "/v1/server/page-hits"]
    );

    // The quickstart body; the session token may be null; the event fields as documented.
    let schema = body_schema(&d, "/v1/events", "post");
    valid(
        &d,
        &schema,
        json!({"session_token": null, "events": [{"request_id": "a1b2", "type": "mouse",
               "received_at": "2026-06-14T10:00:00Z", "payload": {"entropy": 0.74, "samples": 128}}]}),
    );
    valid(
        &d,
        &schema,
        json!({"events": [{"request_id": "b", "type": "page", "received_at": "2026-06-14T10:00:00Z",
               "payload": {}}], "site_key": "pk_x", "session_token": "sess_1"}),
    );
    // The documented limits hold: 1 to 100 events.
    invalid(&d, &schema, json!({"events": [], "site_key": "pk_x"}));
    invalid(
        &d,
        &schema,
        json!({"events": [{"request_id": "a", "type": "event_type_unspecified",
               "received_at": "2026-06-14T10:00:00Z", "payload": {}}]}),
    );
    invalid(&d, &schema, json!({"session_token": null}));
    let event = component(&d, "Event");
    assert!(
        event["properties"]["request_id"]["description"]
            .as_str()
            .unwrap()
            .contains("Client-generated"),
        "proto comments become descriptions: {event}"
    );
    assert_eq!(event["properties"]["payload"]["type"], "object");
    assert_eq!(event["properties"]["payload"]["additionalProperties"], true);
    assert_eq!(
        component(&d, "EventType")["enum"],
        json!([
            "mouse",
            "scroll",
            "visibility",
            "first_input",
            "js_probe",
            "page",
            "snapshot"
        ])
    );
}

#[test]
fn openapi_parameters_follow_the_templates() {
    let d = doc();
    let o = op(&d, "/v1/sessions/{session_token}/verdict", "get");
    let params = o["parameters"].as_array().unwrap();
    let names: Vec<(&str, &str)> = params
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["in"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("session_token", "path"),
            ("path", "query"),
            ("ip", "query"),
            ("country", "query"),
            ("ua", "query")
        ]
    );
    assert_eq!(params[0]["required"], true);
    assert_eq!(params[0]["schema"]["type"], "string");
    assert_eq!(params[1]["required"], false);
    assert!(o.get("requestBody").is_none());

    let o = op(&d, "/v1/projects/{project}", "get");
    assert_eq!(o["parameters"][0]["name"], "project");
    assert_eq!(o["parameters"][0]["in"], "path");
    assert_eq!(o["parameters"][0]["schema"]["type"], "integer");
    assert_eq!(o["parameters"].as_array().unwrap().len(), 1);

    // body "*" minus the path parameter.
    let settings = body_schema(&d, "/v1/projects/{project}/scoring/settings", "put");
    assert_eq!(
        settings["$ref"],
        "#/components/schemas/UpdateScoringSettingsRequestBody"
    );
    let body = component(&d, "UpdateScoringSettingsRequestBody");
    assert!(body["properties"].get("project").is_none(), "{body}");
    assert!(
        body.get("required").is_none(),
        "every setting is optional: {body}"
    );
    assert_eq!(
        op(&d, "/v1/projects/{project}/scoring/settings", "put")["requestBody"]["required"],
        false
    );
    valid(
        &d,
        &settings,
        json!({"block_definite": true, "challenge_likely": true}),
    );
    valid(&d, &settings, json!({}));
    invalid(&d, &settings, json!({"likely_bot_threshold": "x"}));
    invalid(&d, &settings, json!({"project": 1}));

    let rotate = body_schema(&d, "/v1/projects/{project}/scoring/rotate", "post");
    valid(&d, &rotate, json!({"type": "private"}));
    valid(&d, &rotate, json!({"type": "site"}));
    invalid(&d, &rotate, json!({"type": "key_type_unspecified"}));
    invalid(&d, &rotate, json!({}));
    let create = body_schema(&d, "/v1/projects", "post");
    valid(&d, &create, json!({"name": "shop"}));
    invalid(&d, &create, json!({}));
    // No body on enable-scoring; the request messages with path params are not components.
    assert!(
        op(&d, "/v1/projects/{project}/scoring", "post")
            .get("requestBody")
            .is_none()
    );
    assert!(component(&d, "RotateKeyRequest").is_null());
    assert!(component(&d, "GetVerdictRequest").is_null());
}

#[test]
fn openapi_responses_match_what_the_server_emits() {
    let d = doc();

    let verdict = success_schema(&d, "/v1/sessions/{session_token}/verdict", "get", "200");
    valid(&d, &verdict, to(&pb::SessionVerdict::default()));
    valid(
        &d,
        &verdict,
        json!({"verdict":"not_computed","score":0,"action":"allow","detection_ids":[],"reason":"Score not available; allowing by default."}),
    );
    valid(
        &d,
        &verdict,
        to(&pb::SessionVerdict {
            verdict: pb::Verdict::Definite as i32,
            score: 1,
            action: pb::Action::Block as i32,
            detection_ids: vec![50331648, 50331651],
            reason: "Headless".into(),
        }),
    );
    let sv = component(&d, "SessionVerdict");
    assert_eq!(
        sv["required"],
        json!(["verdict", "score", "action", "detection_ids", "reason"])
    );
    assert_eq!(
        component(&d, "Verdict")["enum"],
        json!([
            "not_computed",
            "definite",
            "likely_automated",
            "likely_human",
            "verified"
        ])
    );
    assert_eq!(
        component(&d, "Action")["enum"],
        json!(["allow", "challenge", "block", "log", "delay"])
    );

    let enable = success_schema(&d, "/v1/projects/{project}/scoring", "post", "200");
    let first = pb::EnableScoringResponse {
        site_key: "pk_1".into(),
        private_key: Some("sk_1".to_string().into()),
        bot_settings: Some(pb::BotSettings {
            allow_verified: true,
            protect_static: true,
            ..Default::default()
        }),
        likely_bot_threshold: 30,
    };
    valid(&d, &enable, to(&first));
    let again = pb::EnableScoringResponse {
        private_key: None,
        ..first
    };
    assert!(to(&again)["private_key"].is_null());
    valid(&d, &enable, to(&again));
    assert_eq!(
        component(&d, "EnableScoringResponse")["properties"]["private_key"]["type"],
        json!(["string", "null"])
    );

    let ingest = success_schema(&d, "/v1/events", "post", "202");
    let resp = pb::IngestEventsResponse {
        session_token: "sess_1".into(),
        accepted: 1,
        duplicates: 0,
        over_quota: None,
        shed: None,
    };
    assert!(to(&resp).get("over_quota").is_none());
    valid(&d, &ingest, to(&resp));
    valid(
        &d,
        &ingest,
        to(&pb::IngestEventsResponse {
            over_quota: Some(true),
            ..resp
        }),
    );
    invalid(&d, &ingest, json!({"session_token": "s", "accepted": 1}));
    // Strict: a key the document does not list is an error.
    let mut extra = json!({"session_token": "sess_1", "accepted": 1, "duplicates": 0});
    valid(&d, &ingest, extra.clone());
    extra["surprise"] = json!(1);
    invalid(&d, &ingest, extra);

    let project = pb::Project {
        id: 7,
        account_id: 1,
        name: "shop".into(),
        scoring_enabled: true,
        created_at: Some(botect_proto::wkt::Timestamp::from_millis(1_787_616_455_650)),
    };
    valid(
        &d,
        &success_schema(&d, "/v1/projects", "post", "201"),
        to(&project),
    );
    valid(
        &d,
        &success_schema(&d, "/v1/projects/{project}", "get", "200"),
        to(&project),
    );
    let list = success_schema(&d, "/v1/projects", "get", "200");
    assert_eq!(list["type"], "array", "bare array: {list}");
    assert_eq!(list["items"]["$ref"], "#/components/schemas/Project");
    let listed = pb::ListProjectsResponse {
        projects: vec![project.clone()],
    };
    valid(&d, &list, to(&listed)["projects"].clone());
    assert_eq!(
        component(&d, "Project")["properties"]["created_at"]["format"],
        "date-time"
    );

    valid(
        &d,
        &success_schema(&d, "/v1/projects/{project}/scoring", "get", "200"),
        to(&pb::ScoringState {
            enabled: true,
            site_key: "pk_1".into(),
            bot_settings: Some(pb::BotSettings::default()),
            likely_bot_threshold: 30,
            challenge_difficulty: 16,
        }),
    );
    valid(
        &d,
        &success_schema(&d, "/v1/projects/{project}/scoring/settings", "put", "200"),
        to(&pb::ScoringSettings {
            bot_settings: Some(pb::BotSettings::default()),
            likely_bot_threshold: 30,
            challenge_difficulty: 16,
        }),
    );
    valid(
        &d,
        &success_schema(&d, "/v1/challenges", "post", "200"),
        to(&pb::Challenge {
            challenge: "AQAAAAE.x".into(),
            algorithm: "SHA-256".into(),
            difficulty: 16,
            expires_at: "2026-12-01T10:05:00.000Z".into(),
        }),
    );
    valid(
        &d,
        &success_schema(&d, "/v1/projects/{project}/scoring/rotate", "post", "200"),
        to(&pb::RotateKeyResponse {
            r#type: pb::KeyType::Private as i32,
            key: "sk_2".into(),
        }),
    );
    valid(
        &d,
        &success_schema(&d, "/v1/account", "get", "200"),
        to(&pb::Account {
            id: 1,
            name: "Acme".into(),
            slug: "acme".into(),
            is_personal: false,
            role: "owner".into(),
        }),
    );
    valid(
        &d,
        &success_schema(&d, "/user", "get", "200"),
        to(&pb::User {
            id: 1,
            name: "Dev".into(),
            email: "dev@acme.test".into(),
            created_at: Some(botect_proto::wkt::Timestamp::from_millis(0)),
        }),
    );

    for (path, verb) in [
        ("/v1/projects/{project}", "delete"),
        ("/v1/projects/{project}/scoring", "delete"),
    ] {
        let r = &op(&d, path, verb)["responses"]["204"];
        assert!(r.is_object(), "{verb} {path}");
        assert!(r.get("content").is_none(), "204 has no body: {r}");
    }
}

#[test]
fn openapi_errors_follow_the_method_options() {
    let d = doc();
    let error = component(&d, "Error");
    let codes: Vec<Value> = ErrorCode::ALL.iter().map(|c| json!(c.as_str())).collect();
    assert_eq!(error["properties"]["code"]["enum"], Value::Array(codes));
    assert_eq!(error["required"], json!(["error", "message", "code"]));
    let schema = json!({"$ref": "#/components/schemas/Error"});
    for code in ErrorCode::ALL {
        valid(&d, &schema, ApiError::new(code, "m").to_json());
        valid(&d, &schema, error_example(code));
    }
    valid(
        &d,
        &schema,
        ApiError::invalid("events[0].type", "bad").to_json(),
    );
    valid(
        &d,
        &schema,
        json!({"error": "x", "message": "y", "code": "UNAUTHENTICATED", "retry_after": 3}),
    );
    invalid(
        &d,
        &schema,
        json!({"error": "x", "message": "y", "code": "NOPE"}),
    );

    let rotate = op(&d, "/v1/projects/{project}/scoring/rotate", "post");
    let statuses: Vec<&String> = rotate["responses"].as_object().unwrap().keys().collect();
    assert_eq!(
        statuses,
        ["200", "401", "402", "403", "404", "409", "422", "default"]
    );
    let s409 = &rotate["responses"]["409"]["content"][JSON]["schema"];
    valid(
        &d,
        s409,
        ApiError::new(ErrorCode::ScoringNotEnabled, "m").to_json(),
    );
    invalid(&d, s409, ApiError::new(ErrorCode::NotFound, "m").to_json());
    // Enable scoring works without a subscription: no 402.
    let enable = op(&d, "/v1/projects/{project}/scoring", "post");
    assert!(enable["responses"].get("402").is_none());
    assert!(
        op(&d, "/v1/account", "get")["responses"]
            .get("402")
            .is_none()
    );
}

#[test]
fn openapi_descriptions_come_from_proto_comments() {
    let d = doc();
    let o = op(&d, "/v1/events", "post");
    assert_eq!(o["summary"], "Ingest events");
    assert!(
        o["description"]
            .as_str()
            .unwrap()
            .contains("durably committed"),
        "{o}"
    );
    let tags = d["tags"].as_array().unwrap();
    assert!(
        tags.iter()
            .any(|t| t["name"] == "IngestService" && t["description"].is_string())
    );
    assert!(
        component(&d, "Verdict")["description"]
            .as_str()
            .unwrap()
            .contains("- `verified`:")
    );
}

#[test]
fn openapi_generation_helpers() {
    assert_eq!(humanize("UpdateScoringSettings"), "Update scoring settings");
    assert!(generate(b"not a descriptor set").is_err());
}

/// The official server SDK's bodies, exactly as it sends them (issue 13), fit the schema;
/// the documented limits are stated.
#[test]
fn openapi_server_ingest_takes_the_official_sdks_bodies() {
    let d = doc();
    for path in ["/v1/server/page-hits", "/v1/server/events"] {
        let o = op(&d, path, "post");
        let responses = o["responses"].as_object().unwrap();
        for status in ["202", "204", "401", "402", "413", "422"] {
            assert!(
                responses.contains_key(status),
                "{path} {status}: {responses:?}"
            );
        }
        assert_eq!(o["security"][0].as_object().unwrap().len(), 1, "{path}");
    }
    let hit = body_schema(&d, "/v1/server/page-hits", "post");
    valid(
        &d,
        &hit,
        json!({"schema_version":1,"page_id":"0123456789abcdef0123456789abcdef","session_token":format!("sess_{}", "ab".repeat(24)),
               "occurred_at":"2026-09-08T00:00:00Z","method":"GET","path_hash":"f".repeat(64),
               "header_names":["host","user-agent","cookie","accept-language"],"languages":["en-us","en"],
               "had_session_cookie":false,"duration_ms":27,"ja4":null,"observed_ip":"203.0.113.7",
               "observed_ip_source":"resolver","observed_ip_inferred":false}),
    );
    invalid(&d, &hit, json!({"schema_version": 2}));
    invalid(&d, &hit, json!({"method": "BREW"}));
    invalid(&d, &hit, json!({"session_token": "sess_short"}));
    let relay = body_schema(&d, "/v1/server/events", "post");
    valid(
        &d,
        &relay,
        json!({"schema_version":1,"page_id":"0123456789abcdef0123456789abcdef","session_token":format!("sess_{}", "0".repeat(48)),
               "events":[{"request_id":"r1","type":"js_probe","received_at":"2026-09-08T00:00:01Z",
                          "payload":{"webdriver":null,"js_passed":true,"languages":["en-US"]}}],
               "observed_ip":"203.0.113.7","observed_ip_source":"header","observed_ip_inferred":false}),
    );
    invalid(&d, &relay, json!({"schema_version": 1, "events": []}));
}
