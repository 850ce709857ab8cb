//! `botect-bench`: performance of a real `botect` process next to baselines measured in the
//! same run. Scenarios: verdict reads (REST and gRPC, closed and open loop), ingest
//! (SQLite and PostgreSQL), scoring lag, and verdict reads at scale. See docs/performance.md.
mod clients;
mod dbdirect;
mod load;
mod procs;
mod report;

use std::{
    path::PathBuf,
    process::ExitCode,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail, ensure};
use botect_client::pb;
use clap::{Args, Parser, Subcommand};
use tokio::sync::mpsc;

use clients::{
    Batches, Expect, Http1, IngestConn, LagProbe, LagSample, Proto, VerdictConn, connect_all,
    grpc_client, verdict_name,
};
use load::{Latencies, Stats, Summary, closed_loop, open_loop};
use procs::{Backend, Db, Server, tenant};
use report::{Report, Row, Table, Unit};

#[derive(Parser)]
#[command(name = "botect-bench", about = "Botect performance benchmark")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Runs every scenario and prints the results tables.
    Run(RunArgs),
    /// The baseline server (started by `run`).
    #[command(hide = true)]
    BaselineServer,
}

#[derive(Args)]
struct RunArgs {
    /// Short durations and small sizes (a functional check, not a measurement).
    #[arg(long)]
    smoke: bool,
    /// The `botect` binary (default: next to this one).
    #[arg(long)]
    botect_bin: Option<PathBuf>,
    /// Superuser URL of a PostgreSQL cluster (enables the PostgreSQL ingest points).
    #[arg(long)]
    pg_url: Option<String>,
    /// Markdown output: replaces what is between the results markers, else the whole file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Every number as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Runs only these scenarios (comma-separated; in full mode `lag` needs `ingest` for its peak rate).
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Scenario>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Scenario {
    Verdicts,
    Ingest,
    Lag,
    Scale,
    Insights,
    Retention,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let result = match cli.cmd {
        Cmd::Run(args) => rt.block_on(run(args)),
        Cmd::BaselineServer => rt.block_on(procs::baseline_server()).map(|()| true),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("botect-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Durations, rates and sizes of full and smoke mode.
struct Plan {
    smoke: bool,
}

impl Plan {
    fn pick<T>(&self, full: T, smoke: T) -> T {
        if self.smoke { smoke } else { full }
    }
    fn warmup(&self) -> Duration {
        self.pick(Duration::from_secs(1), Duration::from_millis(200))
    }
    fn measure(&self) -> Duration {
        self.pick(Duration::from_secs(5), Duration::from_millis(500))
    }
    fn open_rate(&self) -> f64 {
        self.pick(5000.0, 1000.0)
    }
    fn ingest_warmup(&self) -> Duration {
        self.pick(Duration::from_secs(1), Duration::ZERO)
    }
    /// Rounds of each verdict throughput point, server and baseline alternating.
    fn rounds(&self) -> usize {
        self.pick(3, 1)
    }
    /// Sessions seeded for the sessions and stats queries.
    fn insight_sessions(&self) -> u64 {
        self.pick(1_000_000, 10_000)
    }
    /// Old sessions the retention scenario purges.
    fn retention_sessions(&self) -> u64 {
        self.pick(200_000, 5_000)
    }
    /// Measured requests per query (after 5 warm-up requests).
    fn insight_requests(&self) -> usize {
        self.pick(40, 5)
    }
    fn scale_sizes(&self) -> Vec<u64> {
        self.pick(vec![10_000, 100_000, 1_000_000], vec![1_000, 10_000])
    }
}

const VERDICT_CONNS: [usize; 3] = [8, 32, 128];
const OPEN_LOOP_CONNS: usize = 16;
const INGEST_CONNS: usize = 32;
const BATCH_SIZES: [usize; 3] = [1, 10, 50];
/// Scoring-lag samples per second of schedule.
const LAG_SAMPLES_PER_SEC: f64 = 200.0;

struct Bench {
    bin: PathBuf,
    pg: Option<String>,
    plan: Plan,
    work: tempfile::TempDir,
    report: Report,
    /// REST batch-10 ingest on SQLite, events/s (the scoring-lag scenario's peak).
    peak_eps: Option<f64>,
}

async fn run(args: RunArgs) -> Result<bool> {
    let bin = match args.botect_bin {
        Some(b) => b,
        None => procs::default_botect_bin()?,
    };
    ensure!(bin.exists(), "{} is missing (--botect-bin)", bin.display());
    let plan = Plan { smoke: args.smoke };
    let mut b = Bench {
        bin,
        pg: args.pg_url,
        work: tempfile::Builder::new().prefix("botect-bench").tempdir()?,
        report: Report {
            date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            command: std::env::args().collect::<Vec<_>>().join(" "),
            mode: plan.pick("full", "smoke").into(),
            machine: report::machine_facts(),
            ..Report::default()
        },
        plan,
        peak_eps: None,
    };
    b.database_versions().await;
    for scenario in [
        Scenario::Verdicts,
        Scenario::Ingest,
        Scenario::Lag,
        Scenario::Scale,
        Scenario::Insights,
        Scenario::Retention,
    ] {
        if !args.only.is_empty() && !args.only.contains(&scenario) {
            continue;
        }
        let table = match scenario {
            Scenario::Verdicts => b.verdicts().await,
            Scenario::Ingest => b.ingest().await,
            Scenario::Lag => b.scoring_lag().await,
            Scenario::Scale => b.scale().await,
            Scenario::Insights => b.insights().await,
            Scenario::Retention => b.retention().await,
        };
        match table {
            Ok(t) => b.report.tables.push(t),
            Err(e) => b.problem(format!("scenario {scenario:?} failed: {e:#}")),
        }
    }
    let md = b.report.markdown();
    println!("{md}");
    if let Some(out) = &args.out {
        b.report.write_markdown(out)?;
    }
    if let Some(json) = &args.json {
        if let Some(dir) = json.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(json, serde_json::to_string_pretty(&b.report)?)?;
    }
    if !b.report.problems.is_empty() {
        eprintln!(
            "\n!!! botect-bench: {} PROBLEM(S): the run is not valid:",
            b.report.problems.len()
        );
        for p in &b.report.problems {
            eprintln!("!!!   {p}");
        }
    }
    Ok(b.report.problems.is_empty())
}

impl Bench {
    fn problem(&mut self, msg: String) {
        eprintln!("!!! ERROR: {msg}");
        self.report.problems.push(msg);
    }

    /// Records the run's request errors, if any.
    fn check(&mut self, what: &str, s: &Stats) {
        if let Some(e) = s.error_text() {
            self.problem(format!("{what}: {e}"));
        }
    }

    /// Durably committed rows must equal the acknowledged events.
    fn check_count(&mut self, what: &str, acked: u64, rows: i64) -> String {
        if acked as i64 != rows {
            self.problem(format!(
                "{what}: {acked} events acknowledged but {rows} rows in `events`"
            ));
            format!("**MISMATCH: {acked} acknowledged, {rows} rows**")
        } else {
            format!(
                "{} rows = acknowledged",
                report::fmt(Unit::Count, rows as f64)
            )
        }
    }

    async fn database_versions(&mut self) {
        let sqlite = async {
            let db = Db::fresh(Backend::Sqlite, None).await?;
            procs::scalar_text(&db.url, "SELECT sqlite_version() AS n").await
        };
        let v = sqlite.await.unwrap_or_else(|e| format!("unknown ({e:#})"));
        self.report.machine.push(("SQLite".into(), v));
        if let Some(pg) = &self.pg {
            let v = procs::scalar_text(pg, "SELECT version() AS n")
                .await
                .unwrap_or_else(|e| format!("unknown ({e:#})"));
            self.report.machine.push(("PostgreSQL".into(), v));
        }
    }

    // ---- 1. verdict reads ----

    async fn verdicts(&mut self) -> Result<Table> {
        let db = Db::fresh(Backend::Sqlite, None).await?;
        let server = Server::botect(&self.bin, &db).await?;
        let t = tenant(&self.bin, &db, &server).await?;
        let (token, json) = scored_session(&server, &t).await?;
        let msg = grpc_client(&server.addr)
            .await?
            .verdicts(&t.private_key)?
            .get_verdict(pb::GetVerdictRequest {
                session_token: token.clone(),
                ..Default::default()
            })
            .await?
            .into_inner();
        ensure!(
            serde_json::from_slice::<pb::SessionVerdict>(&json)? == msg,
            "REST and gRPC verdicts differ: {} vs {msg:?}",
            String::from_utf8_lossy(&json)
        );
        let baseline = Server::baseline(&json, &self.work.path().join("baseline.log")).await?;
        let tokens = Arc::new(vec![token]);
        let expect = Expect::Exact(json.clone(), msg);
        let mut rows = Vec::new();
        for proto in [Proto::Rest, Proto::Grpc] {
            let targets =
                [("server", &server.addr), ("baseline", &baseline.addr)].map(|(who, addr)| {
                    (
                        who,
                        VerdictTarget {
                            proto,
                            addr,
                            private_key: &t.private_key,
                            tokens: &tokens,
                            expect: &expect,
                        },
                    )
                });
            // Throughput: server and baseline back to back, `rounds` times per point, so
            // that the machine's drift (it is shared) falls on both; the median of each.
            let mut rates = [Vec::new(), Vec::new()];
            let mut ratios = Vec::new();
            for c in VERDICT_CONNS {
                let mut rounds = [Vec::new(), Vec::new()];
                for _ in 0..self.plan.rounds() {
                    for (i, (who, target)) in targets.iter().enumerate() {
                        let label = format!("{who} {}", proto.name());
                        rounds[i].push(self.throughput(&label, target, c).await?);
                    }
                }
                let per_round: Vec<f64> = rounds[0]
                    .iter()
                    .zip(&rounds[1])
                    .map(|(s, b)| s / b)
                    .collect();
                ratios.push(per_round);
                for i in 0..2 {
                    rates[i].push(median(&mut rounds[i]));
                }
            }
            let mut points = Vec::new();
            for (i, (who, target)) in targets.iter().enumerate() {
                let label = format!("{who} {}", proto.name());
                points.push(
                    self.latency_points(&label, target, std::mem::take(&mut rates[i]))
                        .await?,
                );
            }
            rows.extend(verdict_rows(
                proto,
                &points[0],
                &points[1],
                &ratios,
                self.plan.open_rate(),
            ));
        }
        baseline.stop().await;
        server.stop().await;
        Ok(Table {
            title: "1. Verdict reads".into(),
            intro: format!(
                "One scored session read over and over (SQLite, one tenant). Baseline: a bare axum handler / bare tonic service \
                 returning the same bytes (`botect-bench baseline-server`, separate process, default multi-thread runtime). \
                 Closed loop: each connection issues requests back to back ({} warm-up + {} measured per point; each throughput \
                 point is measured {} times, server and baseline back to back; the rates are the medians, the ratio the median of \
                 the rounds' ratios). \
                 Open loop: {} req/s over {OPEN_LOOP_CONNS} connections on fixed schedules, latency from the intended send time. \
                 Every response is checked (status and body). Server, baseline and load generator share the machine. \
                 Verdict body: `{}`.",
                secs(self.plan.warmup()),
                secs(self.plan.measure()),
                self.plan.rounds(),
                self.plan.open_rate(),
                String::from_utf8_lossy(&json)
            ),
            rows,
        })
    }

    /// Requests/s of one closed-loop point.
    async fn throughput(
        &mut self,
        label: &str,
        t: &VerdictTarget<'_>,
        conns: usize,
    ) -> Result<f64> {
        let (warmup, measure) = (self.plan.warmup(), self.plan.measure());
        let s = closed_loop(t.connect(conns).await?, warmup, measure).await?;
        self.check(&format!("verdict {label} closed loop {conns} conns"), &s);
        eprintln!("verdict {label} {conns} conns: {:.0} req/s", s.rate());
        Ok(s.rate())
    }

    /// One connection back to back and the open loop, with the throughput measured before.
    async fn latency_points(
        &mut self,
        label: &str,
        t: &VerdictTarget<'_>,
        throughput: Vec<f64>,
    ) -> Result<VerdictPoints> {
        let (warmup, measure) = (self.plan.warmup(), self.plan.measure());
        let mut s = closed_loop(t.connect(1).await?, warmup, measure).await?;
        self.check(&format!("verdict {label} one connection"), &s);
        let closed = s.lat.summary();
        let mut s = open_loop(
            t.connect(OPEN_LOOP_CONNS).await?,
            self.plan.open_rate(),
            measure,
        )
        .await?;
        self.check(&format!("verdict {label} open loop"), &s);
        let open = s.lat.summary();
        eprintln!(
            "verdict {label}: 1 conn p99 {:.3} ms, open loop p99 {:.3} ms at {:.0} req/s",
            closed.p99,
            open.p99,
            s.rate()
        );
        Ok(VerdictPoints {
            throughput,
            closed,
            open,
            open_rate: s.rate(),
        })
    }

    // ---- 2. ingest ----

    async fn ingest(&mut self) -> Result<Table> {
        let (warmup, measure) = (self.plan.ingest_warmup(), self.plan.measure());
        let mut backends = vec![Backend::Sqlite];
        if self.pg.is_some() {
            backends.push(Backend::Postgres);
        }
        let mut rows = Vec::new();
        for backend in backends {
            for size in BATCH_SIZES {
                let writers = if backend == Backend::Sqlite {
                    1
                } else {
                    INGEST_CONNS
                };
                let label = format!("{} batch {size}", backend.name());
                let db = Db::fresh(backend, self.pg.as_deref()).await?;
                let (base, base_rows) =
                    dbdirect::ingest_baseline(&db, size, writers, warmup, measure).await?;
                self.check(&format!("ingest baseline {label}"), &base);
                self.check_count(
                    &format!("ingest baseline {label}"),
                    base.units_total,
                    base_rows,
                );
                db.remove().await?;
                eprintln!("ingest baseline {label}: {:.0} events/s", base.unit_rate());
                for proto in [Proto::Rest, Proto::Grpc] {
                    let what = format!("ingest {} {label}", proto.name());
                    let db = Db::fresh(backend, self.pg.as_deref()).await?;
                    let server = Server::botect(&self.bin, &db).await?;
                    let t = tenant(&self.bin, &db, &server).await?;
                    let conns = connect_all(INGEST_CONNS, |i| {
                        IngestConn::connect(proto, &server.addr, &t.site_key, size, i as u64, None)
                    })
                    .await?;
                    let mut s = closed_loop(conns, warmup, measure).await?;
                    self.check(&what, &s);
                    let count = db.count("SELECT COUNT(*) AS n FROM events").await?;
                    let verified = self.check_count(&what, s.units_total, count);
                    server.stop().await;
                    db.remove().await?;
                    eprintln!("{what}: {:.0} events/s", s.unit_rate());
                    if backend == Backend::Sqlite && size == 10 && proto == Proto::Rest {
                        self.peak_eps = Some(s.unit_rate());
                    }
                    let lat = s.lat.summary();
                    let mut row = Row::new(
                        format!("{} {} batch {size}", backend.name(), proto.name()),
                        Unit::Eps,
                        s.unit_rate(),
                    )
                    .baseline(base.unit_rate())
                    .note(format!(
                        "{} batches/s, p99 {:.1} ms; {verified}",
                        report::thousands(s.rate()),
                        lat.p99
                    ));
                    if backend == Backend::Sqlite && size == 50 {
                        let met = row.value >= 100_000.0 && row.ratio.unwrap_or(0.0) >= 0.5;
                        row = row.target("≥ 100,000 events/s and ≥ 50% of baseline", met);
                    }
                    rows.push(row);
                }
            }
        }
        Ok(Table {
            title: "2. Ingest".into(),
            intro: format!(
                "Closed loop, {INGEST_CONNS} connections ({} warm-up + {} measured), every batch with unique `request_id`s \
                 and an `Idempotency-Key`; each connection keeps its session for {} batches. Events/s acknowledged (202); \
                 after each point `SELECT COUNT(*) FROM events` must equal the acknowledged events. The server runs with its \
                 default scoring workers (scoring competes for the same cores, as in production); fresh database per point. \
                 Baseline: no HTTP, plain batched inserts into `events` (one multi-row `INSERT` per transaction) on a fresh \
                 migrated database, SQLite with one writer (`BEGIN IMMEDIATE`), PostgreSQL with {INGEST_CONNS} writers.",
                secs(warmup),
                secs(measure),
                Batches::PER_SESSION
            ),
            rows,
        })
    }

    // ---- 3. scoring lag ----

    async fn scoring_lag(&mut self) -> Result<Table> {
        let levels: Vec<(String, f64)> = if self.plan.smoke {
            vec![("smoke".into(), 50.0), ("smoke".into(), 80.0)]
        } else {
            let Some(peak) = self.peak_eps else {
                bail!("no SQLite REST batch-10 ingest rate to derive the offered load from")
            };
            [0.5, 0.8]
                .iter()
                .map(|f| (format!("{:.0}% of peak", f * 100.0), f * peak / 10.0))
                .collect()
        };
        let duration = self.plan.measure();
        let db = Db::fresh(Backend::Sqlite, None).await?;
        let server = Server::botect(&self.bin, &db).await?;
        let t = tenant(&self.bin, &db, &server).await?;
        let mut rows = Vec::new();
        for (label, rate) in levels {
            let every = (rate / LAG_SAMPLES_PER_SEC).ceil().max(1.0) as u64;
            let (tx, mut rx) = mpsc::unbounded_channel();
            let probe = Arc::new(LagProbe {
                every,
                addr: server.addr.clone(),
                auth: format!("Bearer {}", t.private_key),
                results: tx,
            });
            let conns = connect_all(INGEST_CONNS, |i| {
                IngestConn::connect(
                    Proto::Rest,
                    &server.addr,
                    &t.site_key,
                    10,
                    i as u64,
                    Some(probe.clone()),
                )
            })
            .await?;
            let mut s = open_loop(conns, rate, duration).await?;
            self.check(&format!("scoring lag {label}: ingest"), &s);
            drop(probe);
            let (mut lags, mut never, mut failed) = (Latencies::default(), 0u64, Vec::new());
            while let Some(sample) = rx.recv().await {
                match sample {
                    LagSample::Readable(d) => lags.record(d),
                    LagSample::NeverReadable => never += 1,
                    LagSample::Failed(e) => failed.push(e),
                }
            }
            if let Some(e) = failed.first() {
                self.problem(format!(
                    "scoring lag {label}: {} probe(s) failed, first: {e}",
                    failed.len()
                ));
            }
            let lag = lags.summary();
            let ingest = s.lat.summary();
            eprintln!(
                "scoring lag {label}: p50 {:.1} ms, p99 {:.1} ms, {} samples",
                lag.p50, lag.p99, lag.n
            );
            let name = |m: &str| format!("{label} ({rate:.0} batches/s): {m}");
            rows.push(Row::new(name("lag p50"), Unit::Ms, lag.p50).note(format!(
                "achieved {:.0} batches/s, ingest p99 {:.1} ms (from intended send)",
                s.rate(),
                ingest.p99
            )));
            rows.push(
                Row::new(name("lag p99"), Unit::Ms, lag.p99).target("≤ 100 ms", lag.p99 <= 100.0),
            );
            rows.push(Row::new(name("lag max"), Unit::Ms, lag.max));
            rows.push(
                Row::new(name("samples"), Unit::Count, lag.n as f64)
                    .note(format!("1 in {every} batches")),
            );
            rows.push(
                Row::new(name("not readable within 10 s"), Unit::Count, never as f64).note(
                    if never > 0 {
                        "**some sessions were never scored**"
                    } else {
                        ""
                    },
                ),
            );
        }
        server.stop().await;
        Ok(Table {
            title: "3. Scoring lag".into(),
            intro: format!(
                "Fresh SQLite database; open-loop REST ingest of batches of 10 over {INGEST_CONNS} connections for {} at \
                 a fraction of the peak (the SQLite REST batch-10 rate above{}). Sampled batches (~{LAG_SAMPLES_PER_SEC:.0}/s) are \
                 the first batch of a new session; their verdict is polled every 1 ms (REST; every 10 ms after the first 100 ms) from the 202 until it is no \
                 longer `not_computed`. Lag = readable − acknowledged. The other batches keep their session for \
                 20 batches as in the ingest scenario.",
                secs(duration),
                self.peak_eps
                    .map(|p| format!(", {p:.0} events/s"))
                    .unwrap_or_default()
            ),
            rows,
        })
    }

    // ---- 4. scale ----

    async fn scale(&mut self) -> Result<Table> {
        let db = Db::fresh(Backend::Sqlite, None).await?;
        let first = Server::botect(&self.bin, &db).await?;
        let t = tenant(&self.bin, &db, &first).await?;
        // Baselines: RSS of the same server with no session stored, and the latency at the
        // smallest size.
        let idle_rss = first.rss_bytes()? as f64;
        let mut small: Option<(f64, f64, f64)> = None;
        let mut running = Some(first);
        let mut seeded = 0;
        let mut rows = Vec::new();
        for n in self.plan.scale_sizes() {
            if let Some(s) = running.take() {
                s.stop().await;
            }
            let started = Instant::now();
            dbdirect::seed_sessions(&db.url, t.project, seeded, n).await?;
            let seed_time = started.elapsed();
            seeded = n;
            let server = Server::botect(&self.bin, &db).await?;
            let tokens = Arc::new((0..n).map(dbdirect::seeded_token).collect::<Vec<_>>());
            let conn = VerdictConn::connect(
                Proto::Rest,
                &server.addr,
                &t.private_key,
                tokens,
                Expect::Scored,
                n,
            )
            .await?;
            let mut s = closed_loop(vec![conn], self.plan.warmup(), self.plan.measure()).await?;
            self.check(&format!("scale {n} sessions"), &s);
            let lat = s.lat.summary();
            let (b50, b99, b999) = *small.get_or_insert((lat.p50, lat.p99, lat.p999));
            let rss = server.rss_bytes()?;
            let label = report::fmt(Unit::Count, n as f64);
            eprintln!(
                "scale {label}: p99 {:.3} ms, RSS {:.1} MB",
                lat.p99,
                rss as f64 / 1e6
            );
            rows.push(
                Row::new(format!("{label} sessions: p50"), Unit::Ms, lat.p50)
                    .baseline(b50)
                    .note(format!(
                        "{} req/s; seeding took {:.1} s",
                        report::thousands(s.rate()),
                        seed_time.as_secs_f64()
                    )),
            );
            rows.push(Row::new(format!("{label} sessions: p99"), Unit::Ms, lat.p99).baseline(b99));
            rows.push(
                Row::new(format!("{label} sessions: p99.9"), Unit::Ms, lat.p999).baseline(b999),
            );
            let mut rss_row = Row::new(
                format!("{label} sessions: server RSS"),
                Unit::Bytes,
                rss as f64,
            )
            .baseline(idle_rss);
            if n == 1_000_000 {
                rss_row = rss_row.target("≤ 200 MB", rss <= 200_000_000);
            }
            rows.push(rss_row);
            rows.push(Row::new(
                format!("{label} sessions: database file (+WAL)"),
                Unit::Bytes,
                db.sqlite_bytes() as f64,
            ));
            running = Some(server);
        }
        if let Some(s) = running {
            s.stop().await;
        }
        Ok(Table {
            title: "4. Scale".into(),
            intro: format!(
                "Fresh SQLite database, one tenant; scored sessions seeded directly in the database (server stopped), then the \
                 server is restarted and one REST connection reads verdicts of uniformly random seeded sessions back to back \
                 ({} warm-up + {} measured). RSS is the server's VmRSS after the reads. Baselines: the latency at the \
                 smallest size, and the RSS of the same server with no session stored.",
                secs(self.plan.warmup()),
                secs(self.plan.measure())
            ),
            rows,
        })
    }
}

impl Bench {
    /// The sessions list, filtered lists and 30-day stats at a million sessions (SQLite;
    /// also PostgreSQL when a cluster is given), next to a trivial control-plane read.
    async fn insights(&mut self) -> Result<Table> {
        let n = self.plan.insight_sessions();
        let mut rows = Vec::new();
        let mut backends = vec![Backend::Sqlite];
        if self.pg.is_some() {
            backends.push(Backend::Postgres);
        }
        for backend in backends {
            let db = Db::fresh(backend, self.pg.as_deref()).await?;
            let first = Server::botect(&self.bin, &db).await?;
            let t = tenant(&self.bin, &db, &first).await?;
            first.stop().await;
            let started = Instant::now();
            dbdirect::seed_insights(&db.url, t.project, n, 30, botect::store::now_ms()).await?;
            let seed_time = started.elapsed();
            let server = Server::botect(&self.bin, &db).await?;
            let mut http = Http1::connect(&server.addr).await?;
            let auth = format!("Bearer {}", t.token);
            let p = t.project;
            let now = chrono::Utc::now();
            let day = chrono::Duration::days(1);
            let iso = |d: chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let queries = [
                ("project (baseline)", format!("/v1/projects/{p}")),
                ("list, newest 50", format!("/v1/projects/{p}/sessions")),
                (
                    "list band=definite (2 %)",
                    format!("/v1/projects/{p}/sessions?band=definite"),
                ),
                (
                    "list detection_id (10 %)",
                    format!("/v1/projects/{p}/sessions?detection_id=16777226"),
                ),
                (
                    "list one day, 15 days back",
                    format!(
                        "/v1/projects/{p}/sessions?since={}&until={}",
                        iso(now - day * 15),
                        iso(now - day * 14)
                    ),
                ),
                (
                    "stats 30 days, hourly",
                    format!(
                        "/v1/projects/{p}/stats?bucket=hour&since={}",
                        iso(now - day * 30)
                    ),
                ),
                (
                    "stats 30 days, daily",
                    format!("/v1/projects/{p}/stats?bucket=day"),
                ),
            ];
            let label = format!(
                "{} {}",
                backend_name(backend),
                report::fmt(Unit::Count, n as f64)
            );
            let mut baseline = None;
            for (what, path) in queries {
                let mut lat = Latencies::default();
                for k in 0..5 + self.plan.insight_requests() {
                    let t0 = Instant::now();
                    let (status, body) = http
                        .send(
                            hyper::Method::GET,
                            &path,
                            &[("authorization", &auth)],
                            bytes::Bytes::new(),
                        )
                        .await?;
                    let ms = t0.elapsed().as_secs_f64() * 1e3;
                    ensure!(
                        status == 200,
                        "GET {path}: HTTP {status}: {}",
                        String::from_utf8_lossy(&body)
                    );
                    if k >= 5 {
                        lat.record(Duration::from_secs_f64(ms / 1e3));
                    }
                }
                let sum = lat.summary();
                eprintln!(
                    "insights {label} {what}: p50 {:.2} ms, p95 {:.2} ms",
                    sum.p50, sum.p95
                );
                let base = *baseline.get_or_insert(sum.p50);
                let mut row = Row::new(format!("{label}: {what}, p50"), Unit::Ms, sum.p50)
                    .note(format!("p95 {:.1} ms, max {:.1} ms", sum.p95, sum.max));
                if what.contains("baseline") {
                    row = row.note(format!("seeding took {:.0} s", seed_time.as_secs_f64()));
                } else {
                    row = row.baseline(base).target("p95 < 100 ms", sum.p95 < 100.0);
                }
                rows.push(row);
            }
            server.stop().await;
        }
        Ok(Table {
            title: "5. Sessions and stats at scale".into(),
            intro: format!(
                "A fresh database with one project and {} scored sessions seeded directly (server stopped): first seen evenly \
                 over 30 days, 2 % definite, 10 % scripted, 3 % low mouse entropy, the rest human; one ingest request and the \
                 detection rows per session, and the hourly roll-ups the server keeps. The server is then restarted and one \
                 REST connection sends each query 5 times to warm up and {} times measured, one after another. Baseline: \
                 `GET /v1/projects/{{project}}` (one indexed row) on the same connection.",
                report::fmt(Unit::Count, n as f64),
                self.plan.insight_requests()
            ),
            rows,
        })
    }
}

/// Ingest connections of the retention scenario (a quarter of the ingest scenario's).
const RETENTION_INGEST_CONNS: usize = 8;

impl Bench {
    /// Ingest while retention purges old sessions, next to the same load on the same database
    /// with retention off.
    async fn retention(&mut self) -> Result<Table> {
        const DAY_MS: i64 = 86_400_000;
        let n = self.plan.retention_sessions();
        let db = Db::fresh(Backend::Sqlite, None).await?;
        let first = Server::botect_with(&self.bin, &db, &["--retention-days", "0"]).await?;
        let t = tenant(&self.bin, &db, &first).await?;
        first.stop().await;
        let now = botect::store::now_ms();
        let started = Instant::now();
        dbdirect::seed_insights(&db.url, t.project, n, 10, now - 100 * DAY_MS).await?;
        let seed_time = started.elapsed();
        let old = format!(
            "SELECT COUNT(*) AS n FROM sessions WHERE updated_at < {}",
            now - 50 * DAY_MS
        );
        let run = async |server: &Server| -> Result<Stats> {
            let conns = connect_all(RETENTION_INGEST_CONNS, |i| {
                IngestConn::connect(Proto::Rest, &server.addr, &t.site_key, 10, i as u64, None)
            })
            .await?;
            closed_loop(conns, self.plan.warmup(), self.plan.measure()).await
        };
        // The baseline: retention off.
        let keep = Server::botect_with(&self.bin, &db, &["--retention-days", "0"]).await?;
        let mut base = run(&keep).await?;
        keep.stop().await;
        ensure!(
            db.count(&old).await? == n as i64,
            "the baseline purged something"
        );
        // The same load while the purge runs (it starts with the server).
        let purge_started = Instant::now();
        let purging = Server::botect_with(&self.bin, &db, &["--retention-days", "30"]).await?;
        let mut during = run(&purging).await?;
        let left = db.count(&old).await?;
        loop {
            if db.count(&old).await? == 0 {
                break;
            }
            ensure!(
                purge_started.elapsed() < Duration::from_secs(600),
                "the purge did not finish within 10 minutes"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let purge_time = purge_started.elapsed();
        purging.stop().await;
        self.check("retention baseline ingest", &base);
        self.check("ingest while purging", &during);
        let (b, d) = (base.lat.summary(), during.lat.summary());
        let label = report::fmt(Unit::Count, n as f64);
        eprintln!(
            "retention {label}: ingest p99 {:.1} ms while purging vs {:.1} ms; purge {:.1} s",
            d.p99,
            b.p99,
            purge_time.as_secs_f64()
        );
        let still = if left > 0 {
            format!("{left} old sessions were still waiting at the end of the window")
        } else {
            "**the purge had finished before the window ended**".to_string()
        };
        Ok(Table {
            title: "6. Retention".into(),
            intro: format!(
                "A fresh SQLite database with {label} sessions last seen 100–110 days ago (seeded directly in {:.0} s, with \
                 their ingest requests and detection rows). REST ingest, batches of 10 on {RETENTION_INGEST_CONNS} \
                 connections, {} warm-up + {} measured: first on a server with `--retention-days 0` (the baseline), then on a \
                 server with `--retention-days 30`, whose purge starts with it.",
                seed_time.as_secs_f64(),
                secs(self.plan.warmup()),
                secs(self.plan.measure())
            ),
            rows: vec![
                Row::new("ingest while purging: p50", Unit::Ms, d.p50).baseline(b.p50),
                Row::new("ingest while purging: p99", Unit::Ms, d.p99)
                    .baseline(b.p99)
                    .note(still),
                Row::new(
                    "ingest while purging: events/s",
                    Unit::Eps,
                    during.unit_rate(),
                )
                .baseline(base.unit_rate()),
                Row::new(
                    format!("purge of {label} sessions"),
                    Unit::Ms,
                    purge_time.as_secs_f64() * 1e3,
                )
                .note(format!(
                    "{} sessions/s, {} per transaction",
                    report::thousands(n as f64 / purge_time.as_secs_f64()),
                    botect::core::retention::PURGE_BATCH
                )),
            ],
        })
    }
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    }
}

fn secs(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// Ingests one realistic batch into a new session and waits until it is scored; returns
/// the session token and its REST verdict body.
async fn scored_session(server: &Server, t: &procs::Tenant) -> Result<(String, bytes::Bytes)> {
    let mut http = Http1::connect(&server.addr).await?;
    let body = Batches::new(5, 0).next(false);
    let (token, _) = http
        .ingest(&t.site_key, &uuid::Uuid::new_v4().to_string(), &body)
        .await?;
    let auth = format!("Bearer {}", t.private_key);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, json) = http.verdict(&auth, &token).await?;
        ensure!(status == 200, "verdict: HTTP {status}");
        if verdict_name(&json)? != "not_computed" {
            return Ok((token, json));
        }
        ensure!(
            Instant::now() < deadline,
            "session {token} not scored within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Where and what verdict reads go to.
struct VerdictTarget<'a> {
    proto: Proto,
    addr: &'a str,
    private_key: &'a str,
    tokens: &'a Arc<Vec<String>>,
    expect: &'a Expect,
}

impl VerdictTarget<'_> {
    async fn connect(&self, n: usize) -> Result<Vec<VerdictConn>> {
        connect_all(n, |i| {
            VerdictConn::connect(
                self.proto,
                self.addr,
                self.private_key,
                self.tokens.clone(),
                self.expect.clone(),
                i as u64,
            )
        })
        .await
        .context("connect verdict clients")
    }
}

struct VerdictPoints {
    /// Requests/s at each of [`VERDICT_CONNS`].
    throughput: Vec<f64>,
    closed: Summary,
    open: Summary,
    open_rate: f64,
}

/// The median (sorts `v`); 0 for none.
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// `ratios[i]`: the per-round server ÷ baseline ratios of `VERDICT_CONNS[i]`.
fn verdict_rows(
    proto: Proto,
    real: &VerdictPoints,
    base: &VerdictPoints,
    ratios: &[Vec<f64>],
    rate: f64,
) -> Vec<Row> {
    let p = proto.name();
    let mut rows = Vec::new();
    for (i, c) in VERDICT_CONNS.iter().enumerate() {
        let mut row = Row::new(
            format!("{p} throughput, {c} conns"),
            Unit::Rps,
            real.throughput[i],
        )
        .baseline(base.throughput[i]);
        if let Some(r) = ratios.get(i).filter(|r| r.len() > 1) {
            // Each round's server and baseline ran back to back: the median of those
            // ratios is the comparison (the medians of the rates drift apart when the
            // machine's load changes between rounds).
            let each: Vec<String> = r.iter().map(|x| format!("{x:.2}×")).collect();
            row.ratio = Some(median(&mut r.clone()));
            row = row.note(format!(
                "medians of {} alternating rounds; ratio: the median of the rounds' ratios {}",
                r.len(),
                each.join(", ")
            ));
        }
        if *c == 32 {
            let met = row.ratio.unwrap_or(0.0) >= 0.8;
            row = row.target("≥ 80% of baseline", met);
        }
        rows.push(row);
    }
    let latency = |mode: &str, r: &Summary, b: &Summary| {
        let p99_met = r.p99 <= 1.0 && r.p99 <= 1.5 * b.p99;
        vec![
            Row::new(format!("{p} {mode}, p50"), Unit::Ms, r.p50)
                .baseline(b.p50)
                .note(format!("{} samples", report::thousands(r.n as f64))),
            Row::new(format!("{p} {mode}, p99"), Unit::Ms, r.p99)
                .baseline(b.p99)
                .target("≤ 1 ms and ≤ 1.5× baseline", p99_met),
            Row::new(format!("{p} {mode}, p99.9"), Unit::Ms, r.p999).baseline(b.p999),
        ]
    };
    rows.extend(latency("1 conn back to back", &real.closed, &base.closed));
    let open = format!("open loop {rate:.0} req/s");
    rows.extend(latency(&open, &real.open, &base.open));
    rows.push(
        Row::new(format!("{p} {open}, achieved"), Unit::Rps, real.open_rate)
            .baseline(base.open_rate),
    );
    rows
}
