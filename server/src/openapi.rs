//! The OpenAPI 3.1 document of the REST surface, generated at runtime from the protobuf
//! descriptors (`botect_proto::FILE_DESCRIPTOR_SET`), never listed by hand per endpoint:
//!
//! - every method with a `google.api.http` annotation is one operation (`operationId` = RPC
//!   name, tag = service name, description = the method's proto comment);
//! - path parameters come from the `{name}` segments of the template; the remaining request
//!   fields are query parameters (no `body`) or the JSON request body (`body: "*"`, minus the
//!   path parameters, as the component `<Request>Body` when any were removed);
//! - `botect.v1.http_status` is the success status (204: no body), `response_body` a bare
//!   field body (e.g. `ListProjects` answers a bare array), `botect.v1.credential` the
//!   security requirement and `botect.v1.errors` the error responses (flat `Error` body,
//!   statuses from [`ErrorCode::http_status`]); a method that can answer
//!   `IDEMPOTENCY_KEY_REUSED` documents the `Idempotency-Key` request header;
//! - messages and enums become `#/components/schemas/<Name>` following the JSON the REST
//!   transport really emits (pbjson with proto field names and emitted defaults): enums are
//!   their value names (`…_unspecified` left out), 32-bit integers JSON integers, 64-bit ones
//!   strings, `Timestamp` an RFC 3339 UTC string, `Struct` a free-form object, wrappers
//!   nullable; non-`optional` scalar, enum and repeated fields are always present (required),
//!   proto3 `optional` ones may be absent (and may be `null` in requests).
//!
//! Served at `GET /openapi.json`, with Swagger UI (vendored, no download) at `/docs`.
use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    sync::LazyLock,
};

use axum::Router;
use prost_reflect::{
    DescriptorPool, EnumDescriptor, FieldDescriptor, Kind, MessageDescriptor, MethodDescriptor,
};
use serde_json::{Value, json};
use utoipa::openapi::{
    AllOfBuilder, ArrayBuilder, ComponentsBuilder, ContentBuilder, HttpMethod, InfoBuilder,
    KnownFormat, ObjectBuilder, OneOfBuilder, OpenApi, OpenApiBuilder, Ref, RefOr, Required,
    ResponseBuilder, ResponsesBuilder, Schema, SchemaFormat, Server,
    example::ExampleBuilder,
    extensions::ExtensionsBuilder,
    path::{OperationBuilder, Parameter, ParameterBuilder, ParameterIn, Paths},
    request_body::RequestBodyBuilder,
    schema::{AdditionalProperties, SchemaType, Type},
    security::{
        ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
    },
    tag::TagBuilder,
};
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    binding::{Body, Credential, Verb},
    error::ErrorCode,
};

mod limits;
use limits::constrained;

/// The proto package whose services form the REST surface.
const PACKAGE: &str = "botect.v1";
const JSON: &str = "application/json";
/// Name of the flat error body component.
const ERROR_SCHEMA: &str = "Error";

/// Security scheme names (components.securitySchemes).
const ACCOUNT_TOKEN: &str = "accountToken";
const PRIVATE_KEY: &str = "privateKey";
const PRIVATE_KEY_HEADER: &str = "privateKeyHeader";
const SITE_KEY: &str = "siteKey";

static DOCUMENT: LazyLock<OpenApi> = LazyLock::new(|| {
    generate(botect_proto::FILE_DESCRIPTOR_SET)
        .unwrap_or_else(|e| panic!("the OpenAPI document cannot be generated: {e}"))
});

/// The OpenAPI document (built once from the embedded descriptor set).
pub fn document() -> OpenApi {
    DOCUMENT.clone()
}

/// `GET /openapi.json` (served by Swagger UI's router, so it is registered once) and the
/// Swagger UI at `/docs` (`/docs` redirects to `/docs/`).
pub fn routes() -> Router {
    SwaggerUi::new("/docs")
        .url("/openapi.json", document())
        .into()
}

/// Builds the document from an encoded `FileDescriptorSet`.
pub fn generate(descriptor_set: &[u8]) -> Result<OpenApi, String> {
    let pool = DescriptorPool::decode(descriptor_set).map_err(|e| e.to_string())?;
    Generator::new(pool)?.run()
}

/// The security requirements of a credential: meeting any one is enough.
fn security(credential: Credential) -> Vec<SecurityRequirement> {
    let req = |name: &str| SecurityRequirement::new(name, Vec::<String>::new());
    match credential {
        Credential::AccountToken => vec![req(ACCOUNT_TOKEN)],
        Credential::SiteKey => vec![req(SITE_KEY)],
        Credential::PrivateKey => vec![req(PRIVATE_KEY), req(PRIVATE_KEY_HEADER)],
        Credential::None => Vec::new(),
    }
}

/// One method's REST binding, read from its options.
struct Binding {
    method: MethodDescriptor,
    verb: HttpMethod,
    path: String,
    path_params: Vec<String>,
    body: Body,
    response_body: Option<String>,
    status: u16,
    /// A boolean response field that, when true, turns the answer into `204`.
    no_content_when: Option<String>,
    credential: Credential,
    errors: Vec<ErrorCode>,
}

/// How a message is used: as (part of) a request, a response, or both.
#[derive(Debug, Clone, Copy, Default)]
struct Usage {
    input: bool,
    output: bool,
}

struct Generator {
    pool: DescriptorPool,
    /// `(file, source path)` → leading comment.
    comments: HashMap<(String, Vec<i32>), String>,
    /// Message full name → usage (filled before any schema is rendered).
    usage: HashMap<String, Usage>,
    /// Enums referenced anywhere (full names).
    enums: BTreeSet<String>,
}

/// Messages with a special JSON form (rendered inline, never as components).
fn is_well_known(full_name: &str) -> bool {
    matches!(
        full_name,
        "google.protobuf.Timestamp"
            | "google.protobuf.Duration"
            | "google.protobuf.Struct"
            | "google.protobuf.Value"
            | "google.protobuf.ListValue"
            | "google.protobuf.Empty"
            | "google.protobuf.FieldMask"
            | "google.protobuf.StringValue"
            | "google.protobuf.BytesValue"
            | "google.protobuf.BoolValue"
            | "google.protobuf.Int32Value"
            | "google.protobuf.UInt32Value"
            | "google.protobuf.Int64Value"
            | "google.protobuf.UInt64Value"
            | "google.protobuf.FloatValue"
            | "google.protobuf.DoubleValue"
    )
}

fn typed(t: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(t)
}

fn nullable_typed(t: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([t, Type::Null]))
}

fn schema_ref(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

/// `{type: [..., "null"]}` for typed objects, `oneOf [schema, null]` otherwise.
fn nullable(schema: RefOr<Schema>) -> RefOr<Schema> {
    match schema {
        RefOr::T(Schema::Object(mut o)) => {
            match &o.schema_type {
                SchemaType::Type(Type::Null) | SchemaType::AnyValue => {}
                SchemaType::Type(t) => {
                    o.schema_type = SchemaType::from_iter([t.clone(), Type::Null])
                }
                SchemaType::Array(types) => {
                    if !types.contains(&Type::Null) {
                        let mut types = types.clone();
                        types.push(Type::Null);
                        o.schema_type = SchemaType::Array(types);
                    }
                }
            }
            RefOr::T(Schema::Object(o))
        }
        RefOr::T(Schema::Array(mut a)) => {
            a.schema_type = SchemaType::from_iter([Type::Array, Type::Null]);
            RefOr::T(Schema::Array(a))
        }
        other => OneOfBuilder::new()
            .item(other)
            .item(typed(Type::Null))
            .into(),
    }
}

/// Sets the description of a schema (a sibling of `$ref` in OpenAPI 3.1).
fn described(schema: RefOr<Schema>, description: Option<String>) -> RefOr<Schema> {
    let Some(d) = description else {
        return schema;
    };
    match schema {
        RefOr::Ref(mut r) => {
            r.description = d;
            RefOr::Ref(r)
        }
        RefOr::T(Schema::Object(mut o)) => {
            o.description = Some(d);
            RefOr::T(Schema::Object(o))
        }
        RefOr::T(Schema::Array(mut a)) => {
            a.description = Some(d);
            RefOr::T(Schema::Array(a))
        }
        RefOr::T(Schema::OneOf(mut o)) => {
            o.description = Some(d);
            RefOr::T(Schema::OneOf(o))
        }
        other => other,
    }
}

/// `IngestEvents` → `Ingest events`.
fn humanize(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// When each error code is answered (contract §2), for the error responses' descriptions.
fn error_when(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Unauthenticated => {
            "Missing, malformed, revoked or wrong-kind credential, or a site/private key of a project whose scoring is not enabled."
        }
        ErrorCode::NoActiveSubscription => {
            "The credential is valid but the owning account has no active subscription."
        }
        ErrorCode::FeatureNotAvailable => "The account's plan lacks the feature.",
        ErrorCode::Forbidden => {
            "The project (or other object) does not belong to the token's account, or the token is not bound to an accessible account."
        }
        ErrorCode::NotFound => "The object does not exist in the caller's scope.",
        ErrorCode::ScoringNotEnabled => "Scoring is not enabled on the project.",
        ErrorCode::InvalidPayload => {
            "The request violates the schema (malformed JSON, bad field value, unknown payload key, out-of-range setting); `details.field` names the offending field."
        }
        ErrorCode::IdempotencyKeyReused => {
            "The `Idempotency-Key` was already used with a different body."
        }
        ErrorCode::PayloadTooLarge => "The request body exceeds the size limit.",
        ErrorCode::MethodNotAllowed => "The path exists but does not support that HTTP method.",
        ErrorCode::Internal => "Unexpected server error.",
        ErrorCode::Unavailable => "The store is unavailable; retry later.",
    }
}

/// An example error body for a code.
fn error_example(code: ErrorCode) -> Value {
    let mut body = json!({
        "error": code.title(),
        "message": error_when(code),
        "code": code.as_str(),
    });
    if code == ErrorCode::InvalidPayload {
        body["message"] = json!("Malformed JSON body: expected value at line 1 column 1.");
        body["details"] = json!({"field": "body"});
    }
    body
}

fn error_schema() -> RefOr<Schema> {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "Every error has this one flat shape; `code` is the stable machine value, `error` \
             and `message` are human text. `details` and `retry_after` appear only when \
             relevant (`details.field` names the offending field of a 422).",
        ))
        .property(
            "error",
            typed(Type::String).description(Some("Short title of the error code.")),
        )
        .property(
            "message",
            typed(Type::String).description(Some("Human-readable detail.")),
        )
        .property(
            "code",
            typed(Type::String)
                .enum_values(Some(codes))
                .description(Some("Stable machine-readable error code.")),
        )
        .property(
            "details",
            typed(Type::Object)
                .additional_properties(Some(typed(Type::String)))
                .description(Some("String details, e.g. `field` for 422 responses.")),
        )
        .property(
            "retry_after",
            typed(Type::Integer)
                .minimum(Some(0))
                .description(Some("Seconds to wait before retrying, when relevant.")),
        )
        .required("error")
        .required("message")
        .required("code")
        .into()
}

fn security_schemes() -> Vec<(&'static str, SecurityScheme)> {
    vec![
        (
            ACCOUNT_TOKEN,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "Account API token (no prefix): `Authorization: Bearer <token>`. Control \
                         plane: everything under `/v1/projects/…`, `/v1/account` and `/user`.",
                    ))
                    .build(),
            ),
        ),
        (
            PRIVATE_KEY,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("sk_…")
                    .description(Some(
                        "Project private key `sk_…` (secret, server-side only): \
                         `Authorization: Bearer sk_…`. The `X-Botect-Private-Key` header \
                         (scheme `privateKeyHeader`) is the alternative. Verdict reads.",
                    ))
                    .build(),
            ),
        ),
        (
            PRIVATE_KEY_HEADER,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Botect-Private-Key",
                "Project private key `sk_…`, as an alternative to `Authorization: Bearer sk_…`.",
            ))),
        ),
        (
            SITE_KEY,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Botect-Site-Key",
                "Project site key `pk_…` (public, ships in the browser). May also be sent as \
                 the `site_key` body field; the header is preferred. Ingest only.",
            ))),
        ),
    ]
}

const API_DESCRIPTION: &str = "Self-hosted bot detection. The browser SDK streams interaction \
signals to `POST /v1/events` with the public site key; your backend reads a session's verdict \
with the secret private key (`GET /v1/sessions/{session_token}/verdict`) and branches on \
`action`; the control plane (projects, scoring, keys, toggles) uses an account API token.\n\n\
JSON in and out, snake_case field names. Every error has the flat `Error` shape. The same \
methods are also served over gRPC and gRPC-web; this document is generated from their \
protobuf definitions.";

impl Generator {
    fn new(pool: DescriptorPool) -> Result<Generator, String> {
        let mut comments = HashMap::new();
        for file in pool.files() {
            let Some(info) = &file.file_descriptor_proto().source_code_info else {
                continue;
            };
            for loc in &info.location {
                let Some(c) = loc.leading_comments.as_deref() else {
                    continue;
                };
                let text = c
                    .lines()
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join("\n")
                    .trim()
                    .to_string();
                if !text.is_empty() {
                    comments.insert((file.name().to_string(), loc.path.clone()), text);
                }
            }
        }
        Ok(Generator {
            pool,
            comments,
            usage: HashMap::new(),
            enums: BTreeSet::new(),
        })
    }

    fn comment(&self, file: &str, path: &[i32]) -> Option<String> {
        self.comments
            .get(&(file.to_string(), path.to_vec()))
            .cloned()
    }

    fn message_comment(&self, m: &MessageDescriptor) -> Option<String> {
        self.comment(m.parent_file().name(), m.path())
    }

    fn field_comment(&self, f: &FieldDescriptor) -> Option<String> {
        self.comment(f.parent_file().name(), f.path())
    }

    fn enum_comment(&self, e: &EnumDescriptor) -> Option<String> {
        self.comment(e.parent_file().name(), e.path())
    }

    /// One method's REST binding from the shared table ([`crate::binding`]), in this
    /// generator's terms; `None` when it has no `google.api.http` option.
    fn binding(&self, method: &MethodDescriptor) -> Result<Option<Binding>, String> {
        let Some(b) = crate::binding::binding(&self.pool, method)? else {
            return Ok(None);
        };
        let mut errors = Vec::new();
        for code in &b.errors {
            errors.push(
                ErrorCode::from_code(code).ok_or_else(|| {
                    format!("{}: unknown error code {code:?}", method.full_name())
                })?,
            );
        }
        Ok(Some(Binding {
            method: b.method,
            verb: match b.verb {
                Verb::Get => HttpMethod::Get,
                Verb::Put => HttpMethod::Put,
                Verb::Post => HttpMethod::Post,
                Verb::Delete => HttpMethod::Delete,
                Verb::Patch => HttpMethod::Patch,
            },
            path: b.path,
            path_params: b.path_params,
            body: b.body,
            response_body: b.response_body,
            status: b.status,
            no_content_when: b.no_content_when,
            credential: b.credential,
            errors,
        }))
    }

    /// Marks a message (and every message and enum it reaches) with a usage.
    fn mark_message(&mut self, m: &MessageDescriptor, input: bool) {
        if is_well_known(m.full_name()) {
            return;
        }
        let u = self.usage.entry(m.full_name().to_string()).or_default();
        let seen = if input { u.input } else { u.output };
        if seen {
            return;
        }
        if input {
            u.input = true;
        } else {
            u.output = true;
        }
        for f in m.fields() {
            self.mark_field(&f, input);
        }
    }

    fn mark_field(&mut self, f: &FieldDescriptor, input: bool) {
        let kind = if f.is_map() {
            match f.kind() {
                Kind::Message(entry) => entry.map_entry_value_field().kind(),
                k => k,
            }
        } else {
            f.kind()
        };
        self.mark_kind(&kind, input);
    }

    fn mark_kind(&mut self, kind: &Kind, input: bool) {
        match kind {
            Kind::Message(m) => self.mark_message(m, input),
            Kind::Enum(e) => {
                self.enums.insert(e.full_name().to_string());
            }
            _ => {}
        }
    }

    /// Schema of one value of a kind (not the repeated/map wrapper).
    fn kind_schema(&self, kind: &Kind) -> RefOr<Schema> {
        match kind {
            Kind::Double => typed(Type::Number)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
                .into(),
            Kind::Float => typed(Type::Number)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Float)))
                .into(),
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => typed(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .into(),
            Kind::Uint32 | Kind::Fixed32 => typed(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(u32::MAX))
                .into(),
            // proto3 JSON: 64-bit integers are strings.
            Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => typed(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .into(),
            Kind::Uint64 | Kind::Fixed64 => typed(Type::String)
                .format(Some(SchemaFormat::Custom("uint64".into())))
                .into(),
            Kind::Bool => typed(Type::Boolean).into(),
            Kind::String => typed(Type::String).into(),
            Kind::Bytes => typed(Type::String).content_encoding("base64").into(),
            Kind::Enum(e) => schema_ref(e.name()),
            Kind::Message(m) => self.message_value_schema(m),
        }
    }

    fn message_value_schema(&self, m: &MessageDescriptor) -> RefOr<Schema> {
        match m.full_name() {
            "google.protobuf.Timestamp" => typed(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .examples(["2026-06-14T10:00:00Z"])
                .into(),
            "google.protobuf.Duration" => typed(Type::String).examples(["1.5s"]).into(),
            "google.protobuf.Struct" => typed(Type::Object)
                .additional_properties(Some(AdditionalProperties::FreeForm(true)))
                .into(),
            "google.protobuf.Value" => ObjectBuilder::new()
                .schema_type(SchemaType::AnyValue)
                .into(),
            "google.protobuf.ListValue" => ArrayBuilder::new()
                .items(ObjectBuilder::new().schema_type(SchemaType::AnyValue))
                .into(),
            "google.protobuf.Empty" => typed(Type::Object).into(),
            "google.protobuf.FieldMask" => typed(Type::String).into(),
            "google.protobuf.StringValue" => nullable_typed(Type::String).into(),
            "google.protobuf.BytesValue" => nullable_typed(Type::String)
                .content_encoding("base64")
                .into(),
            "google.protobuf.BoolValue" => nullable_typed(Type::Boolean).into(),
            "google.protobuf.Int32Value" => nullable_typed(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
                .into(),
            "google.protobuf.UInt32Value" => nullable_typed(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(u32::MAX))
                .into(),
            "google.protobuf.Int64Value" | "google.protobuf.UInt64Value" => {
                nullable_typed(Type::String).into()
            }
            "google.protobuf.FloatValue" | "google.protobuf.DoubleValue" => {
                nullable_typed(Type::Number).into()
            }
            _ => schema_ref(m.name()),
        }
    }

    /// Schema of a field as it appears in a message of the given usage.
    fn field_schema(&self, f: &FieldDescriptor, usage: Usage) -> RefOr<Schema> {
        let schema = if f.is_map() {
            let value = match f.kind() {
                Kind::Message(entry) => self.kind_schema(&entry.map_entry_value_field().kind()),
                k => self.kind_schema(&k),
            };
            typed(Type::Object)
                .additional_properties(Some(match value {
                    RefOr::Ref(r) => AdditionalProperties::RefOr(RefOr::Ref(r)),
                    RefOr::T(s) => AdditionalProperties::RefOr(RefOr::T(s)),
                }))
                .into()
        } else if f.is_list() {
            ArrayBuilder::new()
                .items(self.kind_schema(&f.kind()))
                .into()
        } else {
            self.kind_schema(&f.kind())
        };
        let schema = if usage.input {
            constrained(schema, f.full_name())
        } else {
            schema
        };
        let schema = if usage.input && f.field_descriptor_proto().proto3_optional() {
            nullable(schema)
        } else {
            schema
        };
        described(schema, self.field_comment(f))
    }

    /// Always present in the JSON (responses: pbjson emits every non-optional scalar, enum
    /// and repeated field; requests: these are the fields the method needs).
    fn is_required(f: &FieldDescriptor) -> bool {
        if f.field_descriptor_proto().proto3_optional() || f.containing_oneof().is_some() {
            return false;
        }
        f.is_list() || f.is_map() || !matches!(f.kind(), Kind::Message(_))
    }

    /// The object schema of a message, leaving out `skip` fields.
    fn message_schema(&self, m: &MessageDescriptor, skip: &[String], usage: Usage) -> Schema {
        let mut b = typed(Type::Object).description(self.message_comment(m));
        for f in m.fields() {
            if skip.iter().any(|s| s == f.name()) {
                continue;
            }
            b = b.property(f.name(), self.field_schema(&f, usage));
            if Self::is_required(&f) {
                b = b.required(f.name());
            }
        }
        b.build().into()
    }

    fn enum_schema(&self, e: &EnumDescriptor) -> Schema {
        let values: Vec<_> = e
            .values()
            .filter(|v| !v.name().to_ascii_lowercase().ends_with("_unspecified"))
            .collect();
        let mut description = self.enum_comment(e).unwrap_or_default();
        let documented: Vec<String> = values
            .iter()
            .filter_map(|v| {
                self.comment(v.parent_file().name(), v.path())
                    .map(|c| format!("- `{}`: {}", v.name(), c.replace('\n', " ")))
            })
            .collect();
        if !documented.is_empty() {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str(&documented.join("\n"));
        }
        typed(Type::String)
            .description(Some(description).filter(|d| !d.is_empty()))
            .enum_values(Some(values.iter().map(|v| v.name().to_string())))
            .build()
            .into()
    }

    /// Path and query parameters of a binding.
    fn parameters(&self, b: &Binding) -> Vec<Parameter> {
        let input = b.method.input();
        let mut out = Vec::new();
        for name in &b.path_params {
            let f = input.get_field_by_name(name).expect("checked in binding()");
            // Ids in paths: what the REST layer accepts (transport::rest::MAX_ID).
            let schema = match f.kind() {
                Kind::Uint32 => typed(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(crate::transport::rest::MAX_ID))
                    .into(),
                kind => self.kind_schema(&kind),
            };
            out.push(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .description(self.field_comment(&f))
                    .schema(Some(schema))
                    .build(),
            );
        }
        if matches!(b.body, Body::None) {
            for f in input.fields() {
                if b.path_params.iter().any(|p| p == f.name()) || f.is_list() || f.is_map() {
                    continue;
                }
                // Query values arrive as strings: scalars, enums and string-form
                // well-known types only.
                if let Kind::Message(m) = f.kind()
                    && !is_well_known(m.full_name())
                {
                    continue;
                }
                out.push(
                    ParameterBuilder::new()
                        .name(f.name())
                        .parameter_in(ParameterIn::Query)
                        .required(Required::False)
                        .description(self.field_comment(&f))
                        .schema(Some(self.kind_schema(&f.kind())))
                        .build(),
                );
            }
        }
        if b.errors.contains(&ErrorCode::IdempotencyKeyReused) {
            out.push(
                ParameterBuilder::new()
                    .name("Idempotency-Key")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .description(Some(
                        "Per-batch idempotency key (e.g. a UUID). A retry with the same key \
                         resolves to the same session and never double-counts; within 24 h \
                         the same key and body returns the stored first response, the same \
                         key with another body answers 422 `IDEMPOTENCY_KEY_REUSED`, and a \
                         concurrent duplicate waits for the first and gets its response.",
                    ))
                    .schema(Some(typed(Type::String).min_length(Some(1))))
                    .build(),
            );
        }
        out
    }

    fn error_response(&self, codes: &[ErrorCode]) -> ResponseBuilder {
        let description = if let [code] = codes {
            format!(
                "{} (`{}`): {}",
                code.title(),
                code.as_str(),
                error_when(*code)
            )
        } else {
            codes
                .iter()
                .map(|c| format!("- {} (`{}`): {}", c.title(), c.as_str(), error_when(*c)))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let schema =
            AllOfBuilder::new()
                .item(schema_ref(ERROR_SCHEMA))
                .item(typed(Type::Object).property(
                    "code",
                    typed(Type::String).enum_values(Some(codes.iter().map(|c| c.as_str()))),
                ));
        let examples = codes.iter().map(|c| {
            (
                c.as_str(),
                ExampleBuilder::new()
                    .summary(c.title())
                    .value(Some(error_example(*c)))
                    .build(),
            )
        });
        ResponseBuilder::new().description(description).content(
            JSON,
            ContentBuilder::new()
                .schema(Some(schema))
                .examples_from_iter(examples)
                .build(),
        )
    }

    fn run(mut self) -> Result<OpenApi, String> {
        // 1. Bindings, in declaration order.
        let mut bindings = Vec::new();
        let mut tags = Vec::new();
        let services: Vec<_> = self
            .pool
            .services()
            .filter(|s| s.package_name() == PACKAGE)
            .collect();
        for service in &services {
            let mut any = false;
            for method in service.methods() {
                if let Some(b) = self.binding(&method)? {
                    bindings.push(b);
                    any = true;
                }
            }
            if any {
                tags.push(
                    TagBuilder::new()
                        .name(service.name())
                        .description(self.comment(service.parent_file().name(), service.path()))
                        .build(),
                );
            }
        }

        // 2. Usage of every reachable message, from the request and response roots.
        for b in &bindings {
            let input = b.method.input();
            match &b.body {
                Body::None => {
                    for f in input.fields() {
                        if let Kind::Enum(e) = f.kind() {
                            self.enums.insert(e.full_name().to_string());
                        }
                    }
                }
                Body::All => {
                    for f in input.fields() {
                        if !b.path_params.iter().any(|p| p == f.name()) {
                            self.mark_field(&f, true);
                        } else if let Kind::Enum(e) = f.kind() {
                            self.enums.insert(e.full_name().to_string());
                        }
                    }
                    if b.path_params.is_empty() {
                        self.mark_message(&input, true);
                    }
                }
                Body::Field(name) => {
                    let f = input.get_field_by_name(name).ok_or_else(|| {
                        format!("{}: body field {name} missing", b.method.full_name())
                    })?;
                    self.mark_field(&f, true);
                }
            }
            if b.status != 204 {
                let output = b.method.output();
                match &b.response_body {
                    Some(name) => {
                        let f = output.get_field_by_name(name).ok_or_else(|| {
                            format!("{}: response_body {name} missing", b.method.full_name())
                        })?;
                        self.mark_field(&f, false);
                    }
                    None => self.mark_message(&output, false),
                }
            }
        }

        // 3. Component schemas.
        let mut schemas: BTreeMap<String, RefOr<Schema>> = BTreeMap::new();
        let mut owners: HashMap<String, String> = HashMap::new();
        let mut add = |name: &str,
                       full: &str,
                       schema: RefOr<Schema>,
                       schemas: &mut BTreeMap<String, RefOr<Schema>>|
         -> Result<(), String> {
            if let Some(other) = owners.insert(name.to_string(), full.to_string())
                && other != full
            {
                return Err(format!(
                    "schema name {name} is used by both {other} and {full}"
                ));
            }
            schemas.insert(name.to_string(), schema);
            Ok(())
        };
        add(ERROR_SCHEMA, "botect Error", error_schema(), &mut schemas)?;
        let mut usage: Vec<(String, Usage)> =
            self.usage.iter().map(|(k, v)| (k.clone(), *v)).collect();
        usage.sort_by(|a, b| a.0.cmp(&b.0));
        for (full, u) in usage {
            let m = self
                .pool
                .get_message_by_name(&full)
                .ok_or_else(|| format!("message {full} missing"))?;
            let schema = self.message_schema(&m, &[], u);
            add(m.name(), m.full_name(), schema.into(), &mut schemas)?;
        }
        for full in &self.enums {
            let e = self
                .pool
                .get_enum_by_name(full)
                .ok_or_else(|| format!("enum {full} missing"))?;
            add(
                e.name(),
                e.full_name(),
                self.enum_schema(&e).into(),
                &mut schemas,
            )?;
        }

        // 4. Operations.
        let mut paths = Paths::new();
        for b in &bindings {
            let method = &b.method;
            let input = method.input();
            let output = method.output();
            let input_usage = Usage {
                input: true,
                output: false,
            };

            let request_body = match &b.body {
                Body::None => None,
                Body::All => {
                    let (schema, required) = if b.path_params.is_empty() {
                        let required = input.fields().any(|f| Self::is_required(&f));
                        (schema_ref(input.name()), required)
                    } else {
                        let name = format!("{}Body", input.name());
                        let schema = self.message_schema(&input, &b.path_params, input_usage);
                        let required =
                            matches!(&schema, Schema::Object(o) if !o.required.is_empty());
                        let full = format!("{} (body)", input.full_name());
                        add(&name, &full, schema.into(), &mut schemas)?;
                        (schema_ref(&name), required)
                    };
                    Some(
                        RequestBodyBuilder::new()
                            .description(self.message_comment(&input))
                            .required(Some(if required {
                                Required::True
                            } else {
                                Required::False
                            }))
                            .content(JSON, ContentBuilder::new().schema(Some(schema)).build())
                            .build(),
                    )
                }
                Body::Field(name) => {
                    let f = input.get_field_by_name(name).expect("checked above");
                    Some(
                        RequestBodyBuilder::new()
                            .description(self.field_comment(&f))
                            .required(Some(Required::True))
                            .content(
                                JSON,
                                ContentBuilder::new()
                                    .schema(Some(self.field_schema(&f, input_usage)))
                                    .build(),
                            )
                            .build(),
                    )
                }
            };

            let reason = http::StatusCode::from_u16(b.status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Success");
            let mut success = ResponseBuilder::new().description(reason);
            if b.status != 204 {
                let schema = match &b.response_body {
                    Some(name) => {
                        let f = output.get_field_by_name(name).expect("checked above");
                        let usage = Usage {
                            input: false,
                            output: true,
                        };
                        self.field_schema(&f, usage)
                    }
                    None => self.message_value_schema(&output),
                };
                success = success.content(JSON, ContentBuilder::new().schema(Some(schema)).build());
            }
            let mut by_status: BTreeMap<u16, Vec<ErrorCode>> = BTreeMap::new();
            for code in &b.errors {
                by_status.entry(code.http_status()).or_default().push(*code);
            }
            let mut responses =
                ResponsesBuilder::new().response(b.status.to_string(), success.build());
            if let Some(f) = &b.no_content_when {
                let field = output.get_field_by_name(f).expect("checked above");
                let why = self.field_comment(&field);
                responses = responses.response(
                    "204",
                    ResponseBuilder::new()
                        .description(format!(
                            "No Content: the answer when `{f}` would be true. {}",
                            why.unwrap_or_default()
                        ))
                        .build(),
                );
            }
            for (status, codes) in &by_status {
                responses =
                    responses.response(status.to_string(), self.error_response(codes).build());
            }
            responses = responses.response(
                "default",
                self.error_response(&[ErrorCode::Internal, ErrorCode::Unavailable])
                    .description(format!(
                        "Unexpected error: {} (`INTERNAL`) or {} (`UNAVAILABLE`).",
                        ErrorCode::Internal.title().to_lowercase(),
                        ErrorCode::Unavailable.title().to_lowercase()
                    ))
                    .build(),
            );

            let operation = OperationBuilder::new()
                .operation_id(Some(method.name()))
                .tag(method.parent_service().name())
                .summary(Some(humanize(method.name())))
                .description(self.comment(method.parent_file().name(), method.path()))
                .parameters(Some(self.parameters(b)).filter(|p| !p.is_empty()))
                .request_body(request_body)
                .responses(responses.build())
                .securities(Some(security(b.credential)))
                .extensions(Some(
                    ExtensionsBuilder::new()
                        .add(
                            "x-grpc-method",
                            format!("/{}/{}", method.parent_service().full_name(), method.name()),
                        )
                        .build(),
                ))
                .build();
            if paths.get_path_operation(&b.path, b.verb.clone()).is_some() {
                return Err(format!("{} {:?} is bound twice", b.path, method.name()));
            }
            paths.add_path_operation(&b.path, vec![b.verb.clone()], operation);
        }

        let mut components = ComponentsBuilder::new();
        for (name, scheme) in security_schemes() {
            components = components.security_scheme(name, scheme);
        }
        components = components.schemas_from_iter(schemas);

        Ok(OpenApiBuilder::new()
            .info(
                InfoBuilder::new()
                    .title("Botect API")
                    .version(env!("CARGO_PKG_VERSION"))
                    .description(Some(API_DESCRIPTION))
                    .build(),
            )
            .servers(Some([Server::new("/")]))
            .paths(paths)
            .components(Some(components.build()))
            .tags(Some(tags))
            .build())
    }
}

#[cfg(test)]
mod tests {
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
        // Only ingest takes the Idempotency-Key header.
        let header_ops = d["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|i| i.as_object().unwrap().values())
            .filter(|o| {
                o["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"))
            })
            .count();
        assert_eq!(header_ops, 1);

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
}
