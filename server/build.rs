//! Generates the REST router from the binding table (`src/binding.rs`, read from the
//! `google.api.http` annotations and Botect's method options in `proto/botect/v1`): one axum
//! route per annotated method, each calling that method's tonic service implementation. No
//! endpoint is written by hand twice.
use std::{collections::BTreeMap, env, fmt::Write as _, fs, path::PathBuf};

use prost_reflect::DescriptorPool;

/// The binding table's parser, shared with the library (`botect::binding`).
#[path = "src/binding.rs"]
#[allow(dead_code)] // the routes need part of the table; the library uses all of it
mod binding;

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
    println!("cargo:rerun-if-changed=src/binding.rs");
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
    let bindings = binding::bindings(&pool)?;

    // path -> [(verb, handler expression)]
    let mut routes: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for b in &bindings {
        let method = &b.method;
        let service = method.parent_service();
        let server_mod = format!("{}_server", snake(service.name()));
        let opt = |v: &Option<String>| match v {
            Some(f) => format!("Some({f:?})"),
            None => "None".to_string(),
        };
        let body_rule = match &b.body {
            binding::Body::None => "BodyRule::None".to_string(),
            binding::Body::All => "BodyRule::All".to_string(),
            binding::Body::Field(f) => format!("BodyRule::Field({f:?})"),
        };
        let id_params: Vec<String> = b.id_params.iter().map(|v| format!("{v:?}")).collect();
        let handler = format!(
            "{{ let api = api.clone(); move |req: RestRequest| {{ let api = api.clone(); async move {{
                call::<::botect_proto::v1::{input}, _, _, _>(req, &Binding {{ service: {full_service:?}, body: {body_rule}, status: {status}, no_content_when: {no_content_when}, response_body: {response_body}, id_params: &[{id_params}] }},
                    |r| async move {{ <Api as ::botect_proto::v1::{server_mod}::{service}>::{method_fn}(&api, r).await }}).await
            }} }} }}",
            input = method.input().name(),
            service = service.name(),
            full_service = service.full_name(),
            method_fn = snake(method.name()),
            status = b.status,
            no_content_when = opt(&b.no_content_when),
            response_body = opt(&b.response_body),
            id_params = id_params.join(", "),
        );
        routes
            .entry(b.path.clone())
            .or_default()
            .push((b.verb.as_str().to_string(), handler));
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
