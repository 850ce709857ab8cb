//! Load drivers: one closed-loop and one open-loop driver, generic over a [`Conn`] (one
//! connection issuing one request at a time), and the latency/throughput bookkeeping.
use std::{
    future::Future,
    time::{Duration, Instant},
};

use anyhow::Result;
use tokio::sync::mpsc;

/// One connection of a load generator: issues request number `seq`, checks the response
/// and returns the units it is worth (events acknowledged, or 1 for a read).
pub trait Conn: Send + 'static {
    fn call(&mut self, seq: u64) -> impl Future<Output = Result<u64>> + Send;
}

/// Latency samples; exact percentiles (nearest rank).
#[derive(Debug, Default)]
pub struct Latencies(Vec<u64>);

/// Percentiles of a [`Latencies`], in milliseconds.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Summary {
    pub n: usize,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

impl Latencies {
    pub fn record(&mut self, d: Duration) {
        self.0.push(d.as_nanos() as u64);
    }

    pub fn merge(&mut self, other: Latencies) {
        self.0.extend(other.0);
    }

    pub fn summary(&mut self) -> Summary {
        self.0.sort_unstable();
        let n = self.0.len();
        let at = |q: f64| {
            if n == 0 {
                return 0.0;
            }
            let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
            self.0[rank - 1] as f64 / 1e6
        };
        Summary {
            n,
            p50: at(0.5),
            p95: at(0.95),
            p99: at(0.99),
            p999: at(0.999),
            max: at(1.0),
        }
    }
}

/// What a load run did.
#[derive(Debug, Default)]
pub struct Stats {
    /// Successful responses completed inside the measured window.
    pub ok: u64,
    /// Units of those responses.
    pub units: u64,
    /// Units over the whole run, warm-up included (what the server acknowledged).
    pub units_total: u64,
    /// Failed requests over the whole run, warm-up included.
    pub errors: u64,
    pub first_error: Option<String>,
    /// Latencies of the window's successful responses.
    pub lat: Latencies,
    /// The measured window.
    pub window: Duration,
}

impl Stats {
    fn record(&mut self, r: Result<u64>, latency: Duration, in_window: bool) {
        match r {
            Ok(units) => {
                self.units_total += units;
                if in_window {
                    self.ok += 1;
                    self.units += units;
                    self.lat.record(latency);
                }
            }
            Err(e) => {
                self.errors += 1;
                if self.first_error.is_none() {
                    self.first_error = Some(format!("{e:#}"));
                }
            }
        }
    }

    fn merge(&mut self, o: Stats) {
        self.ok += o.ok;
        self.units += o.units;
        self.units_total += o.units_total;
        self.errors += o.errors;
        if self.first_error.is_none() {
            self.first_error = o.first_error;
        }
        self.lat.merge(o.lat);
    }

    /// Successful requests per second in the window.
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.window.as_secs_f64().max(1e-9)
    }

    /// Units per second in the window.
    pub fn unit_rate(&self) -> f64 {
        self.units as f64 / self.window.as_secs_f64().max(1e-9)
    }

    /// `None`, or a description of the errors.
    pub fn error_text(&self) -> Option<String> {
        (self.errors > 0).then(|| {
            format!(
                "{} failed request(s), first: {}",
                self.errors,
                self.first_error.as_deref().unwrap_or("?")
            )
        })
    }
}

/// Closed loop: every connection issues requests back to back for `warmup + measure`;
/// responses completing inside the last `measure` count.
pub async fn closed_loop<C: Conn>(
    conns: Vec<C>,
    warmup: Duration,
    measure: Duration,
) -> Result<Stats> {
    let from = Instant::now() + warmup;
    let until = from + measure;
    let tasks: Vec<_> = conns
        .into_iter()
        .map(|mut c| {
            tokio::spawn(async move {
                let mut s = Stats::default();
                let mut seq = 0;
                loop {
                    let sent = Instant::now();
                    if sent >= until {
                        break;
                    }
                    let r = c.call(seq).await;
                    seq += 1;
                    let done = Instant::now();
                    s.record(r, done - sent, done >= from && done < until);
                }
                s
            })
        })
        .collect();
    let mut total = Stats {
        window: measure,
        ..Stats::default()
    };
    for t in tasks {
        total.merge(t.await?);
    }
    Ok(total)
}

/// Open loop at `rate` requests/s for `duration`, spread over the connections: request `j`
/// is due at `t0 + j / rate` on connection `j % n` (so connection `i` sends at
/// `t0 + (i + k n) / rate`), and its latency is measured from that intended time, so a
/// stalled connection's backlog counts (no coordinated omission). A dedicated thread paces
/// the schedule with `thread::sleep` (finer than tokio's 1 ms timer).
pub async fn open_loop<C: Conn>(conns: Vec<C>, rate: f64, duration: Duration) -> Result<Stats> {
    let n = conns.len() as u64;
    let count = (rate * duration.as_secs_f64()).round() as u64;
    let t0 = Instant::now() + Duration::from_millis(20);
    let mut senders = Vec::new();
    let tasks: Vec<_> = conns
        .into_iter()
        .map(|mut c| {
            let (tx, mut rx) = mpsc::unbounded_channel::<(u64, Instant)>();
            senders.push(tx);
            tokio::spawn(async move {
                let mut s = Stats::default();
                let mut last = t0;
                while let Some((seq, due)) = rx.recv().await {
                    let r = c.call(seq).await;
                    last = Instant::now();
                    s.record(r, last - due, true);
                }
                (s, last)
            })
        })
        .collect();
    let pacer = std::thread::spawn(move || {
        for j in 0..count {
            let due = t0 + Duration::from_secs_f64(j as f64 / rate);
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
            if senders[(j % n) as usize].send((j, due)).is_err() {
                break;
            }
        }
    });
    let mut total = Stats::default();
    let mut end = t0;
    for t in tasks {
        let (s, last) = t.await?;
        total.merge(s);
        end = end.max(last);
    }
    pacer
        .join()
        .map_err(|_| anyhow::anyhow!("pacer thread panicked"))?;
    total.window = end - t0;
    Ok(total)
}
