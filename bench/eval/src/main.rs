//! Offline behaviour evaluation of Botect's detection (docs/evaluation.md).
//!
//! Reads the JSONL that `bench/eval/js/features.mjs` writes (one `mouse` event payload per
//! human or generated bot trajectory, computed by the browser SDK's own aggregation code),
//! scores each trajectory as a session through the engines (pure functions, no server) and
//! reports ROC AUC, catch rates at fixed human false-positive budgets (thresholds tuned on one
//! half of the humans, reported on the other), the share of held-out humans below T and
//! `definite`, and how often each detection fires on human traces.
mod metrics;
mod report;

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use botect::core::ingest;
use botect::domain::{DEFAULT_THRESHOLD, EventKind, IncomingBatch, IncomingEvent, Scored};
use clap::Parser;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The scorer measured, as printed in the report.
pub const SCORER: &str = "botect::engines::assess";

/// The one place the evaluation touches the engines: a session's events → its score. Every
/// session is given what a real SDK run adds (`engines::evidence::sdk_run`: the page and probe
/// events and one request with a valid proof), so the offline test measures what the
/// interaction events say once the evidence gate is passed, i.e. against a forger who paid
/// for the proof. No other request facts and no traffic (heuristics needs real requests, see
/// the real-browser scenarios). Switching to another engine API is a change here only.
pub fn score_session(events: &[(EventKind, Map<String, Value>)]) -> Scored {
    use botect::engines;
    let (sdk_events, request) = engines::evidence::sdk_run();
    engines::assess(
        sdk_events.iter().chain(events).map(|(k, p)| (*k, p)),
        &[request],
        &[],
        &engines::Traffic::default(),
    )
    .scored
}

#[derive(Parser, Debug)]
#[command(about = "Score human and bot pointer trajectories and report detection quality")]
struct Args {
    /// Features from js/features.mjs.
    #[arg(long, default_value = "bench/eval/out/features.jsonl")]
    input: PathBuf,
    /// Results as JSON.
    #[arg(long, default_value = "bench/eval/out/results.json")]
    json_out: PathBuf,
    /// Result tables as markdown.
    #[arg(long, default_value = "bench/eval/out/results.md")]
    md_out: PathBuf,
    /// Write a full document from this template (`{{results}}` and `{{KEY}}` from --meta).
    #[arg(long, requires = "doc_out")]
    template: Option<PathBuf>,
    #[arg(long)]
    doc_out: Option<PathBuf>,
    /// KEY=VALUE substituted into the template.
    #[arg(long = "meta", value_parser = parse_meta)]
    meta: Vec<(String, String)>,
    /// Likely-bot threshold T (scores below it are in a bot band).
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: u8,
    /// Exit non-zero unless held-out humans are at most 1 % below T, no human is `definite`
    /// and every payload passes ingest validation.
    #[arg(long)]
    check: bool,
    /// Which human half to report on. `test` (default): the published report, every human
    /// number measured on the held-out half. `tune`: a tuning report measured against the
    /// tuning half only (per-detection firing, catch rates, payload-key quantiles), for
    /// choosing thresholds; it never reads held-out humans and cannot be combined with
    /// `--check` or `--template`.
    #[arg(long, value_parser = ["test", "tune"], default_value = "test")]
    split: String,
    /// The leave-one-generator-out measurement of js/train.mjs (`bench/eval/logo.json`), shown
    /// as a table in the published report.
    #[arg(long)]
    logo: Option<PathBuf>,
    /// Only measure the cost of the kinematics model per window against the whole
    /// `engines::assess` per session, over every row, ROUNDS times each (docs/performance.md).
    #[arg(long, value_name = "ROUNDS")]
    time: Option<u32>,
}

/// `--time`: the kinematics model's cost per window, the baseline the whole scoring of a
/// session, both over the same rows in the same run; prints one line.
fn time_model(rows: &[Row], rounds: u32) {
    use botect::engines::kinematics::{MODEL, window_logit};
    use std::time::Instant;
    let payloads: Vec<&Map<String, Value>> = rows.iter().map(|r| &r.payload).collect();
    let mut judged = 0usize;
    let start = Instant::now();
    for _ in 0..rounds {
        for p in &payloads {
            judged += usize::from(std::hint::black_box(window_logit(&MODEL, p)).is_some());
        }
    }
    let model = start.elapsed();
    let start = Instant::now();
    for _ in 0..rounds {
        for p in &payloads {
            std::hint::black_box(score_session(&[(EventKind::Mouse, (*p).clone())]));
        }
    }
    let session = start.elapsed();
    let n = (payloads.len() as f64) * f64::from(rounds);
    let (m, s) = (model.as_nanos() as f64 / n, session.as_nanos() as f64 / n);
    println!(
        "kinematics model: {m:.0} ns per window ({} of {} windows judged); whole engines::assess: {:.1} µs per session; model / session = {:.2} %",
        judged / rounds as usize,
        payloads.len(),
        s / 1000.0,
        100.0 * m / s
    );
}

fn parse_meta(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("expected KEY=VALUE, got {s:?}"))
}

#[derive(Debug, Deserialize)]
pub struct Row {
    pub id: String,
    pub label: String,
    pub generator: String,
    pub split: String,
    pub payload: Map<String, Value>,
}

/// A scored trajectory.
#[derive(Debug)]
pub struct ScoredRow {
    pub row: Row,
    pub scored: Scored,
    /// The ingest validator's objection to the payload, if any.
    pub invalid: Option<String>,
}

impl ScoredRow {
    pub fn is_human(&self) -> bool {
        self.row.label == "human"
    }
}

/// Human source whose halves tune and test the thresholds.
pub const PRIMARY_HUMANS: &str = "cursory";

fn validate(payload: &Map<String, Value>) -> Option<String> {
    let batch = IncomingBatch {
        session_token: None,
        events: vec![IncomingEvent {
            request_id: "eval".into(),
            kind: Some(EventKind::Mouse),
            received_at: "2026-01-01T00:00:00Z".into(),
            payload: payload.clone(),
        }],
        ..Default::default()
    };
    ingest::validate_batch(&batch)
        .err()
        .map(|e| format!("{e:?}"))
}

fn load(path: &PathBuf) -> Result<Vec<Row>> {
    let f = std::fs::File::open(path)
        .with_context(|| format!("cannot open {} (run bench/eval/run.sh)", path.display()))?;
    let mut rows = Vec::new();
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let row: Row = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: bad row", path.display(), i + 1))?;
        if row.label != "human" && row.label != "bot" {
            bail!("{}:{}: label must be human or bot", path.display(), i + 1);
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Detection names from the engines' registry (published as docs/detections.md).
fn registry_names() -> BTreeMap<u32, String> {
    botect::engines::registry::REGISTRY
        .iter()
        .map(|d| (d.id, format!("{} ({})", d.label, d.engine)))
        .collect()
}

fn main() -> Result<()> {
    let args = Args::parse();
    let mut rows = load(&args.input)?;
    if let Some(rounds) = args.time {
        time_model(&rows, rounds.max(1));
        return Ok(());
    }
    if args.split == "tune" {
        // Held-out humans (and the other human sets, all held out) are dropped unread.
        rows.retain(|r| r.label != "human" || (r.generator == PRIMARY_HUMANS && r.split == "tune"));
    } else {
        // Bots built on tuning-half pairs trained the kinematics model: never measured.
        rows.retain(|r| r.label == "human" || r.split != "tune");
    }
    if rows.is_empty() {
        bail!("{}: no trajectories", args.input.display());
    }
    let scored: Vec<ScoredRow> = rows
        .into_iter()
        .map(|row| {
            let invalid = validate(&row.payload);
            let scored = score_session(&[(EventKind::Mouse, row.payload.clone())]);
            ScoredRow {
                row,
                scored,
                invalid,
            }
        })
        .collect();

    if args.split == "tune" {
        if args.check || args.template.is_some() {
            bail!(
                "--split tune is a tuning report: it cannot --check or write the published document"
            );
        }
        let (md, json) = report::tune_report(&scored, args.threshold, &registry_names());
        for p in [&args.json_out, &args.md_out] {
            if let Some(d) = p.parent() {
                std::fs::create_dir_all(d)?;
            }
        }
        std::fs::write(&args.json_out, serde_json::to_string_pretty(&json)? + "\n")?;
        std::fs::write(&args.md_out, &md)?;
        println!("{md}");
        eprintln!(
            "eval: tuning report written to {} and {}",
            args.md_out.display(),
            args.json_out.display()
        );
        return Ok(());
    }

    let eval = report::evaluate(&scored, args.threshold, &registry_names());
    let mut md = report::markdown(&eval);
    if let Some(path) = &args.logo {
        let logo: Value = serde_json::from_str(
            &std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        )
        .with_context(|| format!("{} is not JSON", path.display()))?;
        md.push_str(&report::logo_markdown(&logo)?);
    }
    let json = serde_json::to_string_pretty(&eval.json)?;
    for p in [&args.json_out, &args.md_out] {
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d)?;
        }
    }
    std::fs::write(&args.json_out, json + "\n")?;
    std::fs::write(&args.md_out, &md)?;
    if let (Some(t), Some(out)) = (&args.template, &args.doc_out) {
        let mut doc = std::fs::read_to_string(t)
            .with_context(|| format!("cannot read template {}", t.display()))?;
        doc = doc.replace("{{results}}", md.trim_end());
        doc = doc.replace("{{scorer}}", SCORER);
        for (k, v) in &args.meta {
            doc = doc.replace(&format!("{{{{{k}}}}}"), v);
        }
        std::fs::write(out, doc)?;
        eprintln!("eval: wrote {}", out.display());
    }
    println!("{}", report::summary(&eval));
    eprintln!(
        "eval: wrote {} and {}",
        args.md_out.display(),
        args.json_out.display()
    );

    if args.check {
        let failures = report::check_failures(&eval);
        if !failures.is_empty() {
            for f in &failures {
                eprintln!("eval check FAILED: {f}");
            }
            std::process::exit(1);
        }
        eprintln!("eval check passed");
    }
    Ok(())
}
