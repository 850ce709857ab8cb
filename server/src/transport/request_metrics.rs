//! Request metrics at the edge, recorded only when `--metrics-listen` is set: transport,
//! route, method, status and error code of every answer, and its latency. Every label has a
//! bounded set of values whatever a client sends (routes are templates or known gRPC methods,
//! methods the standard ones), so no request can grow the registry.
use std::{collections::HashSet, sync::LazyLock, time::Instant};

use axum::{
    extract::{MatchedPath, Request},
    middleware::Next,
    response::Response,
};
use http::Method;

/// The error code of a REST error answer, for the `code` label (set by
/// `rest::error_response`).
#[derive(Debug, Clone, Copy)]
pub struct ErrorTag(pub &'static str);

/// The REST routes' template, copied to the response (a `route_layer` of the REST router).
pub async fn tag_route(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let mut res = next.run(req).await;
    if let Some(r) = route {
        res.extensions_mut().insert(r);
    }
    res
}

/// Every gRPC method the server answers: Botect's services, health and reflection.
static GRPC_METHODS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let mut set = HashSet::new();
    if let Ok(pool) = prost_reflect::DescriptorPool::decode(botect_proto::FILE_DESCRIPTOR_SET) {
        for s in pool.services() {
            for m in s.methods() {
                set.insert(format!("/{}/{}", s.full_name(), m.name()));
            }
        }
    }
    for m in [
        "/grpc.health.v1.Health/Check",
        "/grpc.health.v1.Health/Watch",
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    ] {
        set.insert(m.to_string());
    }
    set
});

fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// What is known of a request before it is answered.
pub struct Pending {
    started: Instant,
    transport: &'static str,
    method: &'static str,
    /// The gRPC method, when it is one the server has.
    grpc_route: Option<String>,
}

impl Pending {
    pub fn new(req: &Request, grpc_path: bool) -> Pending {
        let grpc_web = req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/grpc-web"));
        let path = req.uri().path();
        let grpc_route = (grpc_path && GRPC_METHODS.contains(path)).then(|| path.to_string());
        Pending {
            started: Instant::now(),
            transport: match (grpc_route.is_some(), grpc_web) {
                (true, true) => "grpc-web",
                (true, false) => "grpc",
                (false, _) => "rest",
            },
            method: method_label(req.method()),
            grpc_route,
        }
    }

    /// Records the answer.
    pub fn finish(self, res: &Response) {
        let route = match &self.grpc_route {
            Some(r) => r.as_str(),
            None => res
                .extensions()
                .get::<MatchedPath>()
                .map_or("unmatched", MatchedPath::as_str),
        };
        let status = match self.grpc_route {
            // Errors come trailers-only (the status in the headers); a success has its
            // status in the trailers.
            Some(_) => res
                .headers()
                .get("grpc-status")
                .and_then(|v| v.to_str().ok())
                .and_then(|s| s.parse::<u8>().ok())
                .unwrap_or(0)
                .to_string(),
            None => res.status().as_u16().to_string(),
        };
        let code = res.extensions().get::<ErrorTag>().map_or("", |t| t.0);
        crate::metrics::request(
            self.transport,
            route,
            self.method,
            &status,
            code,
            self.started.elapsed(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_bounded() {
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "OTHER");
        assert_eq!(method_label(&Method::GET), "GET");
        assert!(GRPC_METHODS.contains("/botect.v1.VerdictService/GetVerdict"));
        assert!(GRPC_METHODS.contains("/grpc.health.v1.Health/Check"));
        assert!(!GRPC_METHODS.contains("/botect.v1.VerdictService/Made-Up"));
        let req = Request::builder()
            .uri("/botect.v1.VerdictService/Made-Up")
            .body(axum::body::Body::empty())
            .unwrap();
        let p = Pending::new(&req, true);
        assert!(p.grpc_route.is_none());
        assert_eq!(p.transport, "rest");
    }
}
