//! The REST binding table: each method's `google.api.http` rule and Botect's method options
//! (`http_status`, `no_content_when`, `credential`, `errors`), read once from the
//! descriptors and checked once (every path variable, body and response field exists; the
//! credential is set). `build.rs` generates the REST routes from it (this file is compiled
//! into the build script too); `openapi` documents the same table. Depends on nothing of
//! the crate.
use prost_reflect::{DescriptorPool, Kind, MethodDescriptor, Value};

/// The package whose services are Botect's API.
pub const PACKAGE: &str = "botect.v1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Put,
    Post,
    Delete,
    Patch,
}

impl Verb {
    pub const ALL: [Verb; 5] = [Verb::Get, Verb::Put, Verb::Post, Verb::Delete, Verb::Patch];

    /// The lower-case name (`google.api.http`'s field, axum's routing function).
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Put => "put",
            Verb::Post => "post",
            Verb::Delete => "delete",
            Verb::Patch => "patch",
        }
    }
}

/// Where the request message comes from (`google.api.http` `body`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// No body: path variables, then query parameters.
    None,
    /// `*`: the whole body.
    All,
    /// One field of the request message.
    Field(String),
}

/// The credential a method requires (`botect.v1.Credential`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    AccountToken,
    SiteKey,
    PrivateKey,
    None,
}

impl Credential {
    fn from_value_name(name: &str) -> Result<Credential, String> {
        Ok(match name {
            "CREDENTIAL_ACCOUNT_TOKEN" => Credential::AccountToken,
            "CREDENTIAL_SITE_KEY" => Credential::SiteKey,
            "CREDENTIAL_PRIVATE_KEY" => Credential::PrivateKey,
            "CREDENTIAL_NONE" => Credential::None,
            other => return Err(format!("unsupported credential {other}")),
        })
    }
}

/// What a method's caller must present (`credential`), and whether the caller's account
/// must have an active subscription (the method lists `NO_ACTIVE_SUBSCRIPTION` among its
/// `errors`). The transports authenticate every call from this, generated per method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    pub credential: Credential,
    pub subscription: bool,
    /// The method changes something (its REST verb is not GET): a dashboard session must
    /// then carry its CSRF token.
    pub mutating: bool,
}

/// The error code whose presence in a method's `errors` makes it need a subscription.
pub const NO_ACTIVE_SUBSCRIPTION: &str = "NO_ACTIVE_SUBSCRIPTION";

/// One method's REST binding.
#[derive(Debug, Clone)]
pub struct Binding {
    pub method: MethodDescriptor,
    pub verb: Verb,
    /// The URL template, variables as `{name}` (the form axum and OpenAPI share).
    pub path: String,
    /// The path variables, in order.
    pub path_params: Vec<String>,
    /// The path variables that are ids (`uint32` fields): canonical decimal 1..=2^31-1.
    pub id_params: Vec<String>,
    pub body: Body,
    /// The response field that is the whole REST body, if any.
    pub response_body: Option<String>,
    /// The success status (default 200; 204 has no body).
    pub status: u16,
    /// A boolean response field that, when true, makes the answer `204` with no body.
    pub no_content_when: Option<String>,
    pub credential: Credential,
    /// The error codes (contract §2) the method can answer.
    pub errors: Vec<String>,
}

impl Binding {
    pub fn requirement(&self) -> Requirement {
        Requirement {
            credential: self.credential,
            subscription: self.errors.iter().any(|e| e == NO_ACTIVE_SUBSCRIPTION),
            mutating: self.verb != Verb::Get,
        }
    }
}

/// Every annotated method of [`PACKAGE`]'s services, in declaration order.
pub fn bindings(pool: &DescriptorPool) -> Result<Vec<Binding>, String> {
    let mut out = Vec::new();
    for service in pool.services().filter(|s| s.package_name() == PACKAGE) {
        for method in service.methods() {
            if let Some(b) = binding(pool, &method)? {
                out.push(b);
            }
        }
    }
    Ok(out)
}

fn extension(
    pool: &DescriptorPool,
    name: &str,
) -> Result<prost_reflect::ExtensionDescriptor, String> {
    pool.get_extension_by_name(name)
        .ok_or_else(|| format!("extension {name} missing from the descriptors"))
}

/// The variable names of a template (`{project}`, `{name=projects/*}` → `project`, `name`).
pub fn path_params(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        let inner = &rest[start + 1..start + end];
        out.push(inner.split('=').next().unwrap_or(inner).trim().to_string());
        rest = &rest[start + end + 1..];
    }
    out
}

/// The template with each variable as `{name}` (`{name=projects/*}` → `{name}`).
pub fn plain_path(template: &str, params: &[String]) -> String {
    let mut out = String::new();
    let mut rest = template;
    let mut i = 0;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push('{');
        out.push_str(params.get(i).map_or("", String::as_str));
        out.push('}');
        i += 1;
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// One method's binding; `None` when it has no `google.api.http` rule.
pub fn binding(
    pool: &DescriptorPool,
    method: &MethodDescriptor,
) -> Result<Option<Binding>, String> {
    let name = method.full_name().to_string();
    let http = extension(pool, "google.api.http")?;
    let opts = method.options();
    if !opts.has_extension(&http) {
        return Ok(None);
    }
    let rule = opts.get_extension(&http);
    let Value::Message(rule) = rule.as_ref() else {
        return Err(format!("{name}: google.api.http is not a message"));
    };
    let mut found = None;
    for verb in Verb::ALL {
        if rule.has_field_by_name(verb.as_str())
            && let Some(p) = rule.get_field_by_name(verb.as_str())
            && let Some(p) = p.as_str()
        {
            found = Some((verb, p.to_string()));
        }
    }
    let Some((verb, template)) = found else {
        return Err(format!(
            "{name}: google.api.http has no get/put/post/delete/patch"
        ));
    };
    let text = |field: &str| {
        rule.get_field_by_name(field)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let input = method.input();
    let output = method.output();
    let body = match text("body").as_str() {
        "" => Body::None,
        "*" => Body::All,
        f if input.get_field_by_name(f).is_some() => Body::Field(f.to_string()),
        f => {
            return Err(format!(
                "{name}: body {f} is not a field of {}",
                input.full_name()
            ));
        }
    };
    let response_body = Some(text("response_body")).filter(|s| !s.is_empty());
    if let Some(f) = &response_body
        && output.get_field_by_name(f).is_none()
    {
        return Err(format!(
            "{name}: response_body {f} is not a field of {}",
            output.full_name()
        ));
    }
    let status = opts
        .get_extension(&extension(pool, "botect.v1.http_status")?)
        .as_u32()
        .filter(|s| *s != 0)
        .unwrap_or(200);
    let status = u16::try_from(status)
        .ok()
        .filter(|s| (200..300).contains(s))
        .ok_or_else(|| format!("{name}: http_status {status} is not a success status"))?;
    let no_content_when = opts
        .get_extension(&extension(pool, "botect.v1.no_content_when")?)
        .as_str()
        .filter(|f| !f.is_empty())
        .map(str::to_string);
    if let Some(f) = &no_content_when
        && !output
            .get_field_by_name(f)
            .is_some_and(|fd| matches!(fd.kind(), Kind::Bool))
    {
        return Err(format!(
            "{name}: no_content_when {f} is not a bool field of {}",
            output.full_name()
        ));
    }
    let credential_ext = extension(pool, "botect.v1.credential")?;
    let credential = {
        let n = opts
            .get_extension(&credential_ext)
            .as_enum_number()
            .unwrap_or(0);
        let Kind::Enum(e) = credential_ext.kind() else {
            return Err("botect.v1.credential is not an enum".into());
        };
        let value = e
            .get_value(n)
            .map(|v| v.name().to_string())
            .unwrap_or_default();
        Credential::from_value_name(&value)
            .map_err(|e| format!("{name}: {e} (set botect.v1.credential)"))?
    };
    let mut errors = Vec::new();
    for v in opts
        .get_extension(&extension(pool, "botect.v1.errors")?)
        .as_list()
        .unwrap_or_default()
    {
        let code = v.as_str().unwrap_or_default().to_string();
        if !errors.contains(&code) {
            errors.push(code);
        }
    }
    let path_params = path_params(&template);
    for p in &path_params {
        if input.get_field_by_name(p).is_none() {
            return Err(format!(
                "{name}: path parameter {{{p}}} is not a field of {}",
                input.full_name()
            ));
        }
    }
    let id_params = path_params
        .iter()
        .filter(|p| {
            input
                .get_field_by_name(p)
                .is_some_and(|f| matches!(f.kind(), Kind::Uint32))
        })
        .cloned()
        .collect();
    Ok(Some(Binding {
        method: method.clone(),
        verb,
        path: plain_path(&template, &path_params),
        path_params,
        id_params,
        body,
        response_body,
        status,
        no_content_when,
        credential,
        errors,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_reduce_to_their_variables() {
        assert_eq!(
            path_params("/v1/projects/{project}/rules/{rule}"),
            ["project", "rule"]
        );
        assert_eq!(path_params("/v1/{name=projects/*}"), ["name"]);
        assert_eq!(
            plain_path("/v1/{name=projects/*}/x", &["name".into()]),
            "/v1/{name}/x"
        );
    }

    #[test]
    fn every_method_of_the_api_has_a_checked_binding() {
        let pool = DescriptorPool::decode(botect_proto::FILE_DESCRIPTOR_SET).unwrap();
        let table = bindings(&pool).unwrap();
        let methods: usize = pool
            .services()
            .filter(|s| s.package_name() == PACKAGE)
            .map(|s| s.methods().len())
            .sum();
        assert_eq!(table.len(), methods, "a method without a REST binding");
        let ingest = table
            .iter()
            .find(|b| b.method.name() == "IngestEvents")
            .unwrap();
        assert_eq!(
            (ingest.verb, ingest.path.as_str(), ingest.status),
            (Verb::Post, "/v1/events", 202)
        );
        assert_eq!(ingest.no_content_when.as_deref(), Some("shed"));
        assert_eq!(ingest.credential, Credential::SiteKey);
        let rule = table.iter().find(|b| b.method.name() == "GetRule").unwrap();
        assert_eq!(rule.id_params, ["project", "rule"]);
    }
}
