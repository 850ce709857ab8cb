//! Results: rows with value, baseline, ratio and target, rendered as Markdown tables
//! (stdout and `--out`) and JSON (`--json`); machine facts.
use std::{fmt::Write as _, path::Path};

use anyhow::Result;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unit {
    /// requests per second
    Rps,
    /// events per second
    Eps,
    Ms,
    Bytes,
    Count,
}

/// A target and whether the row meets it.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub text: String,
    pub met: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub metric: String,
    pub unit: Unit,
    pub value: f64,
    pub baseline: Option<f64>,
    /// value / baseline
    pub ratio: Option<f64>,
    pub target: Option<Target>,
    pub note: String,
}

impl Row {
    pub fn new(metric: impl Into<String>, unit: Unit, value: f64) -> Row {
        Row {
            metric: metric.into(),
            unit,
            value,
            baseline: None,
            ratio: None,
            target: None,
            note: String::new(),
        }
    }

    pub fn baseline(mut self, b: f64) -> Row {
        self.baseline = Some(b);
        self.ratio = (b > 0.0).then(|| self.value / b);
        self
    }

    pub fn target(mut self, text: impl Into<String>, met: bool) -> Row {
        self.target = Some(Target {
            text: text.into(),
            met,
        });
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Row {
        self.note = note.into();
        self
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub title: String,
    pub intro: String,
    pub rows: Vec<Row>,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub date: String,
    pub command: String,
    pub mode: String,
    pub machine: Vec<(String, String)>,
    /// Scenario errors (failed requests, count mismatches, setup failures).
    pub problems: Vec<String>,
    pub tables: Vec<Table>,
}

pub fn thousands(x: f64) -> String {
    let s = format!("{:.0}", x.round());
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

pub fn fmt(unit: Unit, x: f64) -> String {
    match unit {
        Unit::Rps => format!("{} req/s", thousands(x)),
        Unit::Eps => format!("{} events/s", thousands(x)),
        Unit::Ms => format!("{x:.3} ms"),
        Unit::Bytes => format!("{:.1} MB", x / 1e6),
        Unit::Count => thousands(x),
    }
}

impl Report {
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let _ = writeln!(md, "## Results\n");
        let _ = writeln!(
            md,
            "Run {} ({} mode) with `{}`.\n",
            self.date, self.mode, self.command
        );
        let _ = writeln!(md, "| machine | |\n|---|---|");
        for (k, v) in &self.machine {
            let _ = writeln!(md, "| {k} | {v} |");
        }
        md.push('\n');
        if self.problems.is_empty() {
            let _ = writeln!(md, "No request errors and no count mismatches.\n");
        } else {
            let _ = writeln!(
                md,
                "> **ERRORS: this run is not valid.** {} problem(s):\n>",
                self.problems.len()
            );
            for p in &self.problems {
                let _ = writeln!(md, "> * {p}");
            }
            md.push('\n');
        }
        for t in &self.tables {
            let _ = writeln!(md, "### {}\n\n{}\n", t.title, t.intro);
            let _ = writeln!(
                md,
                "| metric | value | baseline | ratio | target | met | note |\n|---|---:|---:|---:|---|---|---|"
            );
            for r in &t.rows {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    r.metric,
                    fmt(r.unit, r.value),
                    r.baseline.map(|b| fmt(r.unit, b)).unwrap_or_default(),
                    r.ratio.map(|x| format!("{x:.2}×")).unwrap_or_default(),
                    r.target.as_ref().map(|t| t.text.as_str()).unwrap_or(""),
                    r.target
                        .as_ref()
                        .map(|t| if t.met { "met" } else { "**not met**" })
                        .unwrap_or(""),
                    r.note
                );
            }
            md.push('\n');
        }
        md
    }

    /// Writes the section into `path` between the markers, or alone.
    pub fn write_markdown(&self, path: &Path) -> Result<()> {
        const BEGIN: &str = "<!-- results:begin -->";
        const END: &str = "<!-- results:end -->";
        let section = self.markdown();
        let existing = std::fs::read_to_string(path).unwrap_or_default();
        let text = match (existing.find(BEGIN), existing.find(END)) {
            (Some(b), Some(e)) if b < e => format!(
                "{}{BEGIN}\n{section}{END}{}",
                &existing[..b],
                &existing[e + END.len()..]
            ),
            _ => section,
        };
        std::fs::write(path, text)?;
        Ok(())
    }
}

/// nproc, CPU, memory, kernel, rustc.
pub fn machine_facts() -> Vec<(String, String)> {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown".into());
    let mem = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0))
        .unwrap_or_default();
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    vec![
        ("nproc".into(), nproc.to_string()),
        ("CPU".into(), cpu),
        ("memory".into(), mem),
        (
            "kernel".into(),
            read("/proc/sys/kernel/osrelease").trim().into(),
        ),
        ("rustc".into(), rustc),
    ]
}
