//! Botect's protobuf contract (`proto/botect/v1`): messages, tonic clients and servers,
//! canonical proto3 JSON (snake_case field names, enum value names as the REST strings) and
//! the encoded file descriptor set.

/// `botect.v1`: every message and service of the API.
pub mod v1 {
    #![allow(clippy::all, missing_docs)]
    include!(concat!(env!("OUT_DIR"), "/botect.v1.rs"));
    include!(concat!(env!("OUT_DIR"), "/botect.v1.serde.rs"));
}

/// The encoded `FileDescriptorSet` of every Botect proto and its imports
/// (for gRPC reflection, REST transcoding and the OpenAPI document).
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/botect_descriptor.bin"));

pub use pbjson_types;

mod json;
pub mod wkt;
