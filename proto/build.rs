//! Compiles `botect/v1/*.proto` with protox (pure Rust, no protoc) into prost messages,
//! tonic clients and servers, pbjson serde impls (canonical proto3 JSON, snake_case) and the
//! encoded descriptor set that reflection, REST transcoding and OpenAPI read.
use std::{env, fs, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let out = PathBuf::from(env::var("OUT_DIR")?);
    let mut files = Vec::new();
    for entry in fs::read_dir(root.join("botect/v1"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "proto") {
            files.push(path);
        }
    }
    files.sort();
    println!("cargo:rerun-if-changed=botect");
    println!("cargo:rerun-if-changed=google");

    let mut compiler = protox::Compiler::new([&root])?;
    compiler
        .include_source_info(true)
        .include_imports(true)
        .open_files(&files)?;
    let fds = compiler.file_descriptor_set();
    // Encoded by protox, not `fds.encode_to_vec()`: prost_types drops extension options
    // (google.api.http, botect.v1.*), which reflection and the OpenAPI generator read.
    let bytes = compiler.encode_file_descriptor_set();
    fs::write(out.join("botect_descriptor.bin"), &bytes)?;

    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_well_known_types(true)
        .extern_path(".google.protobuf.Timestamp", "crate::wkt::Timestamp")
        .extern_path(".google.protobuf", "::pbjson_types")
        .compile_fds(fds)?;

    pbjson_build::Builder::new()
        .register_descriptors(&bytes)?
        .preserve_proto_field_names()
        .emit_fields()
        // Hand-written in src/json.rs: `private_key` must serialize as `null` when absent.
        .exclude([".botect.v1.EnableScoringResponse"])
        .extern_path(".google.protobuf.Timestamp", "crate::wkt::Timestamp")
        .extern_path(".google.protobuf", "::pbjson_types")
        .build(&[".botect.v1"])?;
    Ok(())
}
