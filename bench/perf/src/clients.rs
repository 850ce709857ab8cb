//! The benchmark's connections: a raw hyper 1 HTTP/1.1 connection for REST, one tonic
//! channel per gRPC connection, and the verdict-read and ingest [`Conn`]s over either.
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, anyhow, bail, ensure};
use botect_client::{Authed, Botect, pb, with_idempotency_key};
use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::{net::TcpStream, sync::mpsc};
use tonic::transport::Endpoint;

use crate::load::Conn;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Proto {
    Rest,
    Grpc,
}

impl Proto {
    pub fn name(self) -> &'static str {
        match self {
            Proto::Rest => "REST",
            Proto::Grpc => "gRPC",
        }
    }
}

const BROWSER_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

const BROWSER_CH_UA: &str =
    "\"Chromium\";v=\"126\", \"Google Chrome\";v=\"126\", \"Not.A/Brand\";v=\"24\"";

/// One HTTP/1.1 keep-alive connection (raw hyper client, no pool).
pub struct Http1 {
    tx: SendRequest<Full<Bytes>>,
    authority: String,
}

impl Http1 {
    pub async fn connect(addr: &str) -> Result<Http1> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connect {addr}"))?;
        stream.set_nodelay(true)?;
        let (tx, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Http1 {
            tx,
            authority: addr.to_string(),
        })
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> Result<(StatusCode, Bytes)> {
        self.tx.ready().await?;
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, &self.authority);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = self.tx.send_request(req.body(Full::new(body))?).await?;
        let status = resp.status();
        let body = resp.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }

    /// `GET /v1/sessions/{token}/verdict` with the private key.
    pub async fn verdict(&mut self, auth: &str, token: &str) -> Result<(StatusCode, Bytes)> {
        let path = format!("/v1/sessions/{token}/verdict");
        self.send(Method::GET, &path, &[("authorization", auth)], Bytes::new())
            .await
    }

    /// `POST /v1/events`; checks the 202 and returns (session token, accepted).
    pub async fn ingest(
        &mut self,
        site_key: &str,
        idempotency_key: &str,
        body: &Value,
    ) -> Result<(String, u64)> {
        let (status, resp) = self
            .send(
                Method::POST,
                "/v1/events",
                &[
                    ("x-botect-site-key", site_key),
                    ("idempotency-key", idempotency_key),
                    ("content-type", "application/json"),
                    // What the browser SDK's requests carry (request facts for the scorer).
                    ("user-agent", BROWSER_UA),
                    ("accept", "*/*"),
                    ("accept-language", "en-US,en;q=0.9"),
                    ("accept-encoding", "gzip, deflate, br, zstd"),
                    ("sec-ch-ua", BROWSER_CH_UA),
                    ("origin", "https://shop.example"),
                    ("sec-fetch-mode", "cors"),
                    ("sec-fetch-site", "cross-site"),
                ],
                serde_json::to_vec(body)?.into(),
            )
            .await?;
        ensure!(
            status == StatusCode::ACCEPTED,
            "ingest: HTTP {status}: {}",
            String::from_utf8_lossy(&resp)
        );
        let v: Value = serde_json::from_slice(&resp)?;
        let token = v["session_token"]
            .as_str()
            .ok_or_else(|| anyhow!("ingest response without session_token: {v}"))?;
        Ok((token.to_string(), v["accepted"].as_u64().unwrap_or(0)))
    }
}

/// The `verdict` field of a REST verdict body.
pub fn verdict_name(body: &[u8]) -> Result<String> {
    let v: Value = serde_json::from_slice(body).context("verdict body is not JSON")?;
    Ok(v["verdict"].as_str().unwrap_or_default().to_string())
}

/// One tonic channel (one HTTP/2 connection).
pub async fn grpc_client(addr: &str) -> Result<Botect> {
    let channel = Endpoint::from_shared(format!("http://{addr}"))?
        .tcp_nodelay(true)
        .connect()
        .await
        .with_context(|| format!("gRPC connect {addr}"))?;
    Ok(Botect::from_channel(channel))
}

/// SplitMix64: a bijective mix of a counter (seeded tokens, uniform picks, payload jitter).
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What a verdict read must answer.
#[derive(Clone)]
pub enum Expect {
    /// Exactly this body (REST) / message (gRPC).
    Exact(Bytes, pb::SessionVerdict),
    /// Any scored verdict (not `not_computed`).
    Scored,
}

enum VerdictWire {
    Rest { http: Http1, auth: String },
    Grpc(pb::verdict_service_client::VerdictServiceClient<Authed>),
}

/// Reads verdicts of `tokens` (uniformly at random when there are several).
pub struct VerdictConn {
    wire: VerdictWire,
    tokens: Arc<Vec<String>>,
    expect: Expect,
    salt: u64,
}

impl VerdictConn {
    pub async fn connect(
        proto: Proto,
        addr: &str,
        private_key: &str,
        tokens: Arc<Vec<String>>,
        expect: Expect,
        salt: u64,
    ) -> Result<VerdictConn> {
        let wire = match proto {
            Proto::Rest => VerdictWire::Rest {
                http: Http1::connect(addr).await?,
                auth: format!("Bearer {private_key}"),
            },
            Proto::Grpc => VerdictWire::Grpc(grpc_client(addr).await?.verdicts(private_key)?),
        };
        Ok(VerdictConn {
            wire,
            tokens,
            expect,
            salt,
        })
    }
}

impl Conn for VerdictConn {
    async fn call(&mut self, seq: u64) -> Result<u64> {
        let token = &self.tokens[(splitmix64(seq ^ self.salt) % self.tokens.len() as u64) as usize];
        match &mut self.wire {
            VerdictWire::Rest { http, auth } => {
                let (status, body) = http.verdict(auth, token).await?;
                ensure!(status == StatusCode::OK, "verdict: HTTP {status}");
                match &self.expect {
                    Expect::Exact(json, _) => ensure!(
                        body == *json,
                        "unexpected verdict body {}",
                        String::from_utf8_lossy(&body)
                    ),
                    Expect::Scored => {
                        let v = verdict_name(&body)?;
                        ensure!(v != "not_computed", "session {token} is not_computed");
                    }
                }
            }
            VerdictWire::Grpc(client) => {
                let req = pb::GetVerdictRequest {
                    session_token: token.clone(),
                    ..Default::default()
                };
                let msg = client.get_verdict(req).await?.into_inner();
                match &self.expect {
                    Expect::Exact(_, expected) => {
                        ensure!(msg == *expected, "unexpected verdict {msg:?}")
                    }
                    Expect::Scored => ensure!(
                        msg.verdict != pb::Verdict::NotComputed as i32,
                        "session {token} is not_computed"
                    ),
                }
            }
        }
        Ok(1)
    }
}

/// Realistic SDK events, cycled through a batch; values jittered so payloads differ.
fn event(kind: usize, request_id: &str, received_at: &str, jitter: u64) -> Value {
    let j = |m: u64| (jitter % m) as f64;
    let (ty, payload) = match kind % 5 {
        0 => (
            "mouse",
            json!({"mouse_entropy": 0.55 + j(400) / 1000.0, "pointer_moves": 120 + jitter % 300,
                   "samples": 128, "click_events": 1 + jitter % 4}),
        ),
        1 => (
            "js_probe",
            json!({"js_passed": true, "webdriver": false, "headless": false, "headless_ua": false,
                   "zero_viewport": false, "collector_version": "1.4.2"}),
        ),
        2 => (
            "scroll",
            json!({"scroll_velocity": 80.0 + j(900) / 10.0, "scroll_events": 3 + jitter % 20,
                   "scroll_max_depth_pct": 10 + jitter % 90}),
        ),
        3 => (
            "first_input",
            json!({"first_input_delay_ms": 4.0 + j(300) / 10.0, "time_to_first_input_ms": 600 + jitter % 4000,
                   "key_events": jitter % 40}),
        ),
        _ => (
            "visibility",
            json!({"visibility_changes": 1 + jitter % 3, "total_ms": 5000 + jitter % 60000}),
        ),
    };
    json!({"request_id": request_id, "type": ty, "received_at": received_at, "payload": payload})
}

/// Batches with unique request ids; a connection keeps its session for
/// [`Batches::PER_SESSION`] batches, then starts a new one.
pub struct Batches {
    size: usize,
    session: Option<String>,
    used: u32,
    counter: u64,
}

impl Batches {
    pub const PER_SESSION: u32 = 20;

    pub fn new(size: usize, salt: u64) -> Batches {
        Batches {
            size,
            session: None,
            used: 0,
            counter: salt << 32,
        }
    }

    /// The next request body; `fresh` forces a new session without touching the cycle.
    pub fn next(&mut self, fresh: bool) -> Value {
        if self.used >= Self::PER_SESSION {
            self.session = None;
            self.used = 0;
        }
        let session = if fresh { None } else { self.session.clone() };
        let now = chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        let events: Vec<Value> = (0..self.size)
            .map(|i| {
                self.counter += 1;
                event(
                    i,
                    &uuid::Uuid::new_v4().to_string(),
                    &now,
                    splitmix64(self.counter),
                )
            })
            .collect();
        json!({"session_token": session, "events": events})
    }

    /// Records the acknowledged session of a batch from [`Batches::next`].
    pub fn acked(&mut self, fresh: bool, token: String) {
        if !fresh {
            self.session.get_or_insert(token);
            self.used += 1;
        }
    }
}

/// Scoring-lag probe: after the acknowledgement of a sampled batch, polls that session's
/// verdict every millisecond until it is scored (or 10 s pass). Past 100 ms (the target) it
/// polls every 10 ms, so that a backlog of probes does not become the load itself.
pub struct LagProbe {
    /// Every `every`-th request of the schedule is a sample (the first batch of a new session).
    pub every: u64,
    pub addr: String,
    pub auth: String,
    pub results: mpsc::UnboundedSender<LagSample>,
}

#[derive(Debug)]
pub enum LagSample {
    Readable(Duration),
    NeverReadable,
    Failed(String),
}

impl LagProbe {
    pub const GIVE_UP: Duration = Duration::from_secs(10);
    const FINE: Duration = Duration::from_millis(100);

    fn spawn(&self, token: String, acked: Instant) {
        let (addr, auth, results) = (self.addr.clone(), self.auth.clone(), self.results.clone());
        tokio::spawn(async move {
            let sample = async {
                let mut http = Http1::connect(&addr).await?;
                loop {
                    let step = if acked.elapsed() < Self::FINE { 1 } else { 10 };
                    tokio::time::sleep(Duration::from_millis(step)).await;
                    let (status, body) = http.verdict(&auth, &token).await?;
                    ensure!(status == StatusCode::OK, "verdict poll: HTTP {status}");
                    let now = Instant::now();
                    if verdict_name(&body)? != "not_computed" {
                        return Ok(LagSample::Readable(now - acked));
                    }
                    if now - acked > Self::GIVE_UP {
                        return Ok(LagSample::NeverReadable);
                    }
                }
            };
            let r: Result<LagSample> = sample.await;
            let _ = results.send(r.unwrap_or_else(|e| LagSample::Failed(format!("{e:#}"))));
        });
    }
}

enum IngestWire {
    Rest { http: Http1, site_key: String },
    Grpc(pb::ingest_service_client::IngestServiceClient<Authed>),
}

/// Ingests batches with unique request ids and an `Idempotency-Key` each.
pub struct IngestConn {
    wire: IngestWire,
    batches: Batches,
    size: usize,
    lag: Option<Arc<LagProbe>>,
}

impl IngestConn {
    pub async fn connect(
        proto: Proto,
        addr: &str,
        site_key: &str,
        size: usize,
        salt: u64,
        lag: Option<Arc<LagProbe>>,
    ) -> Result<IngestConn> {
        let wire = match proto {
            Proto::Rest => IngestWire::Rest {
                http: Http1::connect(addr).await?,
                site_key: site_key.to_string(),
            },
            Proto::Grpc => IngestWire::Grpc(grpc_client(addr).await?.ingest(site_key)?),
        };
        Ok(IngestConn {
            wire,
            batches: Batches::new(size, salt),
            size,
            lag,
        })
    }
}

impl Conn for IngestConn {
    async fn call(&mut self, seq: u64) -> Result<u64> {
        let fresh = self
            .lag
            .as_ref()
            .is_some_and(|l| seq.is_multiple_of(l.every));
        let body = self.batches.next(fresh);
        let idem = uuid::Uuid::new_v4().to_string();
        let (token, accepted) = match &mut self.wire {
            IngestWire::Rest { http, site_key } => http.ingest(site_key, &idem, &body).await?,
            IngestWire::Grpc(client) => {
                let req: pb::IngestEventsRequest = serde_json::from_value(body)?;
                let req = with_idempotency_key(tonic::Request::new(req), &idem)?;
                let r = client.ingest_events(req).await?.into_inner();
                (r.session_token, u64::from(r.accepted))
            }
        };
        let acked = Instant::now();
        if accepted != self.size as u64 {
            bail!("batch of {} acknowledged {accepted} events", self.size);
        }
        match &self.lag {
            Some(probe) if fresh => probe.spawn(token, acked),
            _ => self.batches.acked(fresh, token),
        }
        Ok(accepted)
    }
}

/// Connects `n` connections with `connect(i)`.
pub async fn connect_all<C, F, Fut>(n: usize, connect: F) -> Result<Vec<C>>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<C>>,
{
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(connect(i).await?);
    }
    Ok(out)
}
