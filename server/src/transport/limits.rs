//! The largest request each service accepts, over REST (the JSON body: `413
//! PAYLOAD_TOO_LARGE`) and gRPC (the decoded message: `RESOURCE_EXHAUSTED` with
//! `PAYLOAD_TOO_LARGE`). Ingest takes `--max-body-bytes` (default 1 MiB: 100 events with
//! room to spare); every other service's largest valid request is a few KiB (a 4 KiB rule
//! expression, a user agent and a path), so it is held to [`CONTROL_LIMIT`] or
//! `--max-body-bytes` when that is smaller. docs/api.md#limits.

/// The limit of every service but ingest.
pub const CONTROL_LIMIT: usize = 64 * 1024;

/// The ingest services: the data plane's batches and challenges, and server-side ingest
/// (relayed batches and page hits).
pub const INGEST_SERVICES: [&str; 2] = ["botect.v1.IngestService", "botect.v1.ServerIngestService"];

/// The request limit of `service` (its full proto name, e.g. `botect.v1.IngestService`)
/// under `--max-body-bytes`.
pub fn request_limit(service: &str, max_body_bytes: usize) -> usize {
    if INGEST_SERVICES.contains(&service) {
        max_body_bytes
    } else {
        max_body_bytes.min(CONTROL_LIMIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ingest_takes_the_flag_and_others_the_smaller_of_both() {
        assert_eq!(request_limit("botect.v1.IngestService", 1 << 20), 1 << 20);
        assert_eq!(request_limit("botect.v1.IngestService", 8 << 20), 8 << 20);
        assert_eq!(
            request_limit("botect.v1.ServerIngestService", 8 << 20),
            8 << 20
        );
        assert_eq!(request_limit("botect.v1.RuleService", 1 << 20), 64 * 1024);
        assert_eq!(
            request_limit("botect.v1.VerdictService", 1 << 20),
            64 * 1024
        );
        assert_eq!(request_limit("botect.v1.VerdictService", 4096), 4096);
        assert_eq!(request_limit("grpc.health.v1.Health", 1 << 20), 64 * 1024);
    }
}
