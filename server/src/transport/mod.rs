//! Transports over the one core: gRPC (HTTP/2), gRPC-web and REST/JSON on one port.
pub mod client_address;
pub mod connection;
pub mod dashboard_session;
pub mod edge;
pub mod grpc;
pub mod health;
pub mod http_errors;
pub mod limits;
pub mod request_metrics;
pub mod rest;
pub mod tls;
