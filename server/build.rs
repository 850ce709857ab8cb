//! Generates the REST router from the `google.api.http` annotations in `proto/botect/v1`:
//! one axum route per annotated method, each calling that method's tonic service
//! implementation. No endpoint is written by hand twice.
use std::{collections::BTreeMap, env, fmt::Write as _, fs, path::PathBuf};

use prost_reflect::{DescriptorPool, Value};

fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest.join("../proto");
    println!("cargo:rerun-if-changed=../proto/botect");
    let mut files: Vec<String> = fs::read_dir(root.join("botect/v1"))?
        .filter_map(|e| e.ok())
        .map(|e| format!("botect/v1/{}", e.file_name().to_string_lossy()))
        .filter(|f| f.ends_with(".proto"))
        .collect();
    files.sort();
    let mut compiler = protox::Compiler::new([&root])?;
    compiler.include_imports(true);
    compiler.open_files(&files)?;
    let pool: DescriptorPool = compiler.descriptor_pool();
    let http = pool
        .get_extension_by_name("google.api.http")
        .ok_or("google.api.http missing")?;
    let status_ext = pool
        .get_extension_by_name("botect.v1.http_status")
        .ok_or("botect.v1.http_status missing")?;
    let no_content_ext = pool
        .get_extension_by_name("botect.v1.no_content_when")
        .ok_or("botect.v1.no_content_when missing")?;

    // path -> [(verb, handler expression)]
    let mut routes: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for service in pool.services().filter(|s| s.package_name() == "botect.v1") {
        let server_mod = format!("{}_server", snake(service.name()));
        for method in service.methods() {
            let opts = method.options();
            if !opts.has_extension(&http) {
                continue;
            }
            let rule = opts.get_extension(&http);
            let Value::Message(rule) = rule.as_ref() else {
                continue;
            };
            let mut binding = None;
            for verb in ["get", "put", "post", "delete", "patch"] {
                if rule.has_field_by_name(verb) {
                    let path = rule
                        .get_field_by_name(verb)
                        .and_then(|v| v.as_str().map(str::to_string));
                    binding = path.map(|p| (verb.to_string(), p));
                }
            }
            let Some((verb, path)) = binding else {
                continue;
            };
            let body = rule
                .get_field_by_name("body")
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let response_body = rule
                .get_field_by_name("response_body")
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let status = opts
                .get_extension(&status_ext)
                .as_u32()
                .filter(|s| *s != 0)
                .unwrap_or(200);
            let no_content_when = match opts.get_extension(&no_content_ext).as_str() {
                Some(f) if !f.is_empty() => format!("Some({f:?})"),
                _ => "None".to_string(),
            };
            let body_rule = match body.as_str() {
                "" => "BodyRule::None".to_string(),
                "*" => "BodyRule::All".to_string(),
                f => format!("BodyRule::Field({f:?})"),
            };
            let response_body = if response_body.is_empty() {
                "None".to_string()
            } else {
                format!("Some({response_body:?})")
            };
            // Path variables that are ids (uint32 fields): canonical decimal 1..=2^31-1.
            let id_params: Vec<String> = path
                .split('{')
                .skip(1)
                .filter_map(|s| s.split('}').next())
                .filter(|v| {
                    method
                        .input()
                        .get_field_by_name(v)
                        .is_some_and(|f| matches!(f.kind(), prost_reflect::Kind::Uint32))
                })
                .map(|v| format!("{v:?}"))
                .collect();
            let id_params = format!("&[{}]", id_params.join(", "));
            let handler = format!(
                "{{ let api = api.clone(); move |req: RestRequest| {{ let api = api.clone(); async move {{
                    call::<::botect_proto::v1::{input}, _, _, _>(req, &Binding {{ service: {full_service:?}, body: {body_rule}, status: {status}, no_content_when: {no_content_when}, response_body: {response_body}, id_params: {id_params} }},
                        |r| async move {{ <Api as ::botect_proto::v1::{server_mod}::{service}>::{method_fn}(&api, r).await }}).await
                }} }} }}",
                input = method.input().name(),
                service = service.name(),
                full_service = service.full_name(),
                method_fn = snake(method.name()),
            );
            routes.entry(path).or_default().push((verb, handler));
        }
    }
    let mut out = String::from(
        "/// Every REST route generated from the protos' `google.api.http` annotations.\n\
         pub fn generated_routes(api: Api) -> ::axum::Router {\n    ::axum::Router::new()\n",
    );
    for (path, handlers) in &routes {
        let mut chain = String::new();
        for (i, (verb, handler)) in handlers.iter().enumerate() {
            if i == 0 {
                write!(chain, "::axum::routing::{verb}({handler})")?;
            } else {
                write!(chain, ".{verb}({handler})")?;
            }
        }
        writeln!(out, "        .route({path:?}, {chain})")?;
    }
    out.push_str("}\n");
    fs::write(
        PathBuf::from(env::var("OUT_DIR")?).join("rest_routes.rs"),
        out,
    )?;
    Ok(())
}
