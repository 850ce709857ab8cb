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

mod errors;
mod limits;
mod parameters;
mod schemas;
mod security;

use errors::*;
use limits::constrained;
use schemas::*;
use security::*;

/// The proto package whose services form the REST surface.
const PACKAGE: &str = "botect.v1";
const JSON: &str = "application/json";
/// Name of the flat error body component.
const ERROR_SCHEMA: &str = "Error";

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
mod tests;
