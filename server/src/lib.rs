//! Botect: self-hosted bot detection. One transport-agnostic core (`core`) served over gRPC,
//! gRPC-web and REST (`transport`) from one port (`server`), with SeaORM storage (`store`)
//! and asynchronous scoring workers (`worker`).
pub mod binding;
pub mod browser_assets;
pub mod cli;
pub mod core;
pub mod dashboard_assets;
pub mod domain;
pub mod engines;
pub mod error;
pub mod integrity;
pub mod metrics;
pub mod openapi;
pub mod rules;
pub mod server;
pub mod store;
pub mod transport;
pub mod verified;
pub mod worker;
