//! Prometheus metrics, served by `--metrics-listen ADDR` at `/metrics` in the Prometheus text
//! format (docs/operations.md#metrics). One process-wide registry; the core and the
//! transports record into it. Depends on nothing of the crate.
use std::{sync::LazyLock, time::Duration};

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

/// Every metric Botect exports.
pub struct Metrics {
    registry: Registry,
    /// `botect_requests_total{transport, route, method, status, code}`.
    pub requests: IntCounterVec,
    /// `botect_request_duration_seconds{transport, route, method}`.
    pub request_seconds: HistogramVec,
    /// `botect_events_total{outcome="accepted"}` and `{outcome="duplicate"}`, resolved once:
    /// every stored batch adds to them.
    pub events_accepted: IntCounter,
    pub events_duplicate: IntCounter,
    /// `botect_scoring_queue_depth`: sessions waiting for scoring (read at scrape time).
    pub queue_depth: IntGauge,
    /// `botect_scoring_lag_seconds`: a session's latest batch to its stored score.
    pub scoring_lag: Histogram,
    /// `botect_verdict_fail_open_total{cause}`.
    pub fail_opens: IntCounterVec,
    /// `botect_store_errors_total{operation}`.
    pub store_errors: IntCounterVec,
    /// `botect_challenge_verifications_total{outcome}`.
    pub challenge_verifications: IntCounterVec,
}

/// Latency buckets from 0.25 ms to 10 s.
fn latency_buckets() -> Vec<f64> {
    prometheus::exponential_buckets(0.000_25, 2.0, 16).expect("valid buckets")
}

impl Metrics {
    fn new() -> Metrics {
        let registry = Registry::new();
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
            registry
                .register(Box::new(c.clone()))
                .expect("unique metric");
            c
        };
        let requests = counter(
            "botect_requests_total",
            "Requests answered, by transport (rest, grpc, grpc-web), route, method, status (HTTP, or the gRPC status code) and error code (REST errors).",
            &["transport", "route", "method", "status", "code"],
        );
        let events = counter(
            "botect_events_total",
            "Events of stored batches: accepted (stored) and duplicate (already stored, not stored again).",
            &["outcome"],
        );
        let fail_opens = counter(
            "botect_verdict_fail_open_total",
            "Verdict reads answered with the fail-open body, by cause: not_scored (unknown or not yet scored session), store_error, store_timeout, rules_error, rules_timeout.",
            &["cause"],
        );
        let store_errors = counter(
            "botect_store_errors_total",
            "Database operations that failed, by what was being done.",
            &["operation"],
        );
        let challenge_verifications = counter(
            "botect_challenge_verifications_total",
            "Proof-of-work proofs checked on ingest, by outcome (before the single-use check).",
            &["outcome"],
        );
        let request_seconds = HistogramVec::new(
            HistogramOpts::new(
                "botect_request_duration_seconds",
                "Time to answer a request, by transport, route and method.",
            )
            .buckets(latency_buckets()),
            &["transport", "route", "method"],
        )
        .expect("valid metric");
        registry
            .register(Box::new(request_seconds.clone()))
            .expect("unique metric");
        let scoring_lag = Histogram::with_opts(
            HistogramOpts::new(
                "botect_scoring_lag_seconds",
                "From a session's latest batch to its stored score.",
            )
            .buckets(latency_buckets()),
        )
        .expect("valid metric");
        registry
            .register(Box::new(scoring_lag.clone()))
            .expect("unique metric");
        let queue_depth = IntGauge::new(
            "botect_scoring_queue_depth",
            "Sessions waiting for scoring (counted at scrape time).",
        )
        .expect("valid metric");
        registry
            .register(Box::new(queue_depth.clone()))
            .expect("unique metric");
        // Every known label value from the start, at 0 (rates need the series to exist).
        for op in STORE_OPERATIONS {
            store_errors.with_label_values(&[op]);
        }
        for cause in FAIL_OPEN_CAUSES {
            fail_opens.with_label_values(&[cause]);
        }
        Metrics {
            registry,
            requests,
            request_seconds,
            events_accepted: events.with_label_values(&["accepted"]),
            events_duplicate: events.with_label_values(&["duplicate"]),
            queue_depth,
            scoring_lag,
            fail_opens,
            store_errors,
            challenge_verifications,
        }
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("text encoding");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

/// What `botect_store_errors_total`'s `operation` label can be.
pub const STORE_OPERATIONS: [&str; 7] = [
    "request",
    "verdict_read",
    "verdict_rules",
    "claim",
    "scoring_read",
    "store_scores",
    "queue_depth",
];

/// What `botect_verdict_fail_open_total`'s `cause` label can be.
pub const FAIL_OPEN_CAUSES: [&str; 5] = [
    "not_scored",
    "store_error",
    "store_timeout",
    "rules_error",
    "rules_timeout",
];

/// The process's metrics.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// The content type of [`Metrics::render`].
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub fn fail_open(cause: &'static str) {
    METRICS.fail_opens.with_label_values(&[cause]).inc();
}

pub fn store_error(operation: &'static str) {
    METRICS.store_errors.with_label_values(&[operation]).inc();
}

pub fn events(accepted: u32, duplicates: u32) {
    METRICS.events_accepted.inc_by(u64::from(accepted));
    METRICS.events_duplicate.inc_by(u64::from(duplicates));
}

pub fn challenge_verification(outcome: &'static str) {
    METRICS
        .challenge_verifications
        .with_label_values(&[outcome])
        .inc();
}

pub fn scoring_lag(lag: Duration) {
    METRICS.scoring_lag.observe(lag.as_secs_f64());
}

/// One answered request.
pub fn request(
    transport: &str,
    route: &str,
    method: &str,
    status: &str,
    code: &str,
    took: Duration,
) {
    METRICS
        .requests
        .with_label_values(&[transport, route, method, status, code])
        .inc();
    METRICS
        .request_seconds
        .with_label_values(&[transport, route, method])
        .observe(took.as_secs_f64());
}
