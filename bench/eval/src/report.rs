//! Turns scored trajectories into the evaluation's numbers, markdown tables and JSON.
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::metrics::{auc_lower, flagged, median, quantile, threshold_for, upper95};
use crate::{PRIMARY_HUMANS, SCORER, ScoredRow};

/// Human false-positive budgets the operating points are tuned for.
pub const TARGETS: [f64; 2] = [0.01, 0.001];

pub struct Group<'a> {
    pub name: String,
    pub rows: Vec<&'a ScoredRow>,
}

impl Group<'_> {
    fn scores(&self) -> Vec<u8> {
        self.rows.iter().map(|r| r.scored.score).collect()
    }
    fn scores_f(&self) -> Vec<f64> {
        self.rows.iter().map(|r| r.scored.score as f64).collect()
    }
    fn count(&self, f: impl Fn(u8) -> bool) -> usize {
        self.rows.iter().filter(|r| f(r.scored.score)).count()
    }
}

pub struct OperatingPoint {
    pub target: f64,
    pub theta: u8,
    pub tune_flagged: usize,
    pub test_flagged: usize,
    /// Bots caught per generator (k, n), in generator order.
    pub caught: Vec<(usize, usize)>,
    pub caught_all: (usize, usize),
}

pub struct Eval<'a> {
    pub threshold: u8,
    pub tune: Group<'a>,
    pub test: Group<'a>,
    /// Other human sources (all held out, never tuned on).
    pub extra_humans: Vec<Group<'a>>,
    pub bots: Vec<Group<'a>>,
    pub all_bots: Group<'a>,
    pub points: Vec<OperatingPoint>,
    pub invalid: Vec<(&'a str, &'a str)>,
    pub names: BTreeMap<u32, String>,
    pub json: Value,
}

fn pct(k: usize, n: usize) -> String {
    if n == 0 {
        return "–".into();
    }
    format!("{:.1} %", 100.0 * k as f64 / n as f64)
}

fn pct2(x: f64) -> String {
    format!("{:.2} %", 100.0 * x)
}

/// "k/n (p %)".
fn frac(k: usize, n: usize) -> String {
    format!("{k}/{n} ({})", pct(k, n))
}

/// The honest statement about a human false-positive count.
pub fn bound(k: usize, n: usize) -> String {
    if k == 0 {
        format!(
            "0 of {n} → FPR ≤ {} (95 %, rule of three: 3/n = {})",
            pct2(upper95(0, n)),
            pct2(3.0 / n.max(1) as f64)
        )
    } else {
        format!(
            "{k} of {n} = {} → FPR ≤ {} (95 %, Clopper–Pearson)",
            pct2(k as f64 / n as f64),
            pct2(upper95(k, n))
        )
    }
}

fn id_label(id: u32, names: &BTreeMap<u32, String>) -> String {
    match names.get(&id) {
        Some(n) if !n.is_empty() => format!("`{id}` (`{id:#010x}`) {n}"),
        _ => format!("`{id}` (`{id:#010x}`)"),
    }
}

pub fn evaluate<'a>(
    rows: &'a [ScoredRow],
    threshold: u8,
    names: &BTreeMap<u32, String>,
) -> Eval<'a> {
    let humans = |split: &str| Group {
        name: format!("{PRIMARY_HUMANS} {split}"),
        rows: rows
            .iter()
            .filter(|r| r.is_human() && r.row.generator == PRIMARY_HUMANS && r.row.split == split)
            .collect(),
    };
    let tune = humans("tune");
    let test = humans("test");
    let mut generators: Vec<(String, bool)> = Vec::new();
    for r in rows {
        let key = (r.row.generator.clone(), r.is_human());
        if !generators.contains(&key) {
            generators.push(key);
        }
    }
    let group_of = |g: &str, human: bool| Group {
        name: g.to_string(),
        rows: rows
            .iter()
            .filter(|r| r.row.generator == g && r.is_human() == human)
            .collect(),
    };
    let extra_humans: Vec<Group> = generators
        .iter()
        .filter(|(g, h)| *h && g != PRIMARY_HUMANS)
        .map(|(g, _)| group_of(g, true))
        .collect();
    let bots: Vec<Group> = generators
        .iter()
        .filter(|(_, h)| !h)
        .map(|(g, _)| group_of(g, false))
        .collect();
    let all_bots = Group {
        name: "all bots".into(),
        rows: rows.iter().filter(|r| !r.is_human()).collect(),
    };

    let tune_scores = tune.scores();
    let points: Vec<OperatingPoint> = TARGETS
        .iter()
        .map(|&target| {
            let theta = threshold_for(&tune_scores, target);
            let f = |s: u8| flagged(s, theta);
            OperatingPoint {
                target,
                theta,
                tune_flagged: tune.count(f),
                test_flagged: test.count(f),
                caught: bots.iter().map(|b| (b.count(f), b.rows.len())).collect(),
                caught_all: (all_bots.count(f), all_bots.rows.len()),
            }
        })
        .collect();
    let invalid: Vec<(&str, &str)> = rows
        .iter()
        .filter_map(|r| r.invalid.as_deref().map(|e| (r.row.id.as_str(), e)))
        .collect();

    let mut eval = Eval {
        threshold,
        tune,
        test,
        extra_humans,
        bots,
        all_bots,
        points,
        invalid,
        names: names.clone(),
        json: Value::Null,
    };
    eval.json = to_json(&eval);
    eval
}

fn group_json(g: &Group, t: u8, test: &Group) -> Value {
    let s = g.scores_f();
    json!({
        "n": g.rows.len(),
        "below_t": g.count(|s| flagged(s, t)),
        "definite": g.count(|s| s == 1),
        "not_computed": g.count(|s| s == 0),
        "score_median": median(&s),
        "score_p01": quantile(&s, 0.01),
        "score_p99": quantile(&s, 0.99),
        "auc_vs_test_humans": if g.rows.first().is_some_and(|r| !r.is_human()) {
            auc_lower(&s, &test.scores_f())
        } else { None },
    })
}

fn detection_counts(g: &Group) -> BTreeMap<u32, usize> {
    let mut m = BTreeMap::new();
    for r in &g.rows {
        for id in r.scored.detection_ids.iter().collect::<BTreeSet<_>>() {
            *m.entry(*id).or_default() += 1;
        }
    }
    m
}

/// Numeric payload keys seen anywhere.
fn feature_keys(e: &Eval) -> Vec<String> {
    let mut keys = BTreeSet::new();
    for r in e.test.rows.iter().chain(&e.all_bots.rows) {
        for (k, v) in &r.row.payload {
            if v.is_number() {
                keys.insert(k.clone());
            }
        }
    }
    keys.into_iter().collect()
}

fn feature(g: &Group, key: &str) -> Vec<f64> {
    g.rows
        .iter()
        .filter_map(|r| r.row.payload.get(key).and_then(Value::as_f64))
        .collect()
}

fn to_json(e: &Eval) -> Value {
    let t = e.threshold;
    let test_scores = e.test.scores_f();
    let mut gens = serde_json::Map::new();
    for b in &e.bots {
        gens.insert(b.name.clone(), group_json(b, t, &e.test));
    }
    let mut extra = serde_json::Map::new();
    for h in &e.extra_humans {
        extra.insert(h.name.clone(), group_json(h, t, &e.test));
    }
    let points: Vec<Value> = e
        .points
        .iter()
        .map(|p| {
            json!({
                "target_fpr": p.target,
                "theta": p.theta,
                "rule": format!("flag when 1 <= score < {}", p.theta),
                "tune_humans_flagged": p.tune_flagged,
                "test_humans_flagged": p.test_flagged,
                "test_humans_n": e.test.rows.len(),
                "test_fpr_upper95": upper95(p.test_flagged, e.test.rows.len()),
                "bots_caught": p.caught_all.0,
                "bots_n": p.caught_all.1,
                "bots_caught_by_generator": e.bots.iter().zip(&p.caught)
                    .map(|(b, (k, n))| (b.name.clone(), json!({"caught": k, "n": n})))
                    .collect::<serde_json::Map<_, _>>(),
            })
        })
        .collect();
    let mut dets = serde_json::Map::new();
    let groups: Vec<&Group> = [&e.tune, &e.test]
        .into_iter()
        .chain(&e.extra_humans)
        .chain(&e.bots)
        .collect();
    let mut ids = BTreeSet::new();
    for g in &groups {
        ids.extend(detection_counts(g).into_keys());
    }
    for id in ids {
        let mut per = serde_json::Map::new();
        for g in &groups {
            per.insert(
                g.name.clone(),
                json!({"fired": detection_counts(g).get(&id).copied().unwrap_or(0), "n": g.rows.len()}),
            );
        }
        dets.insert(
            id.to_string(),
            json!({"name": e.names.get(&id), "fired": per}),
        );
    }
    let mut feats = serde_json::Map::new();
    for k in feature_keys(e) {
        let h = feature(&e.test, &k);
        let per: serde_json::Map<String, Value> = e
            .bots
            .iter()
            .map(|b| {
                let v = feature(b, &k);
                (
                    b.name.clone(),
                    json!({"median": median(&v), "auc_bot_lower": auc_lower(&v, &h)}),
                )
            })
            .collect();
        feats.insert(
            k,
            json!({"human_test_median": median(&h), "generators": per}),
        );
    }
    json!({
        "scorer": SCORER,
        "threshold": t,
        "humans": {
            "tune": group_json(&e.tune, t, &e.test),
            "test": group_json(&e.test, t, &e.test),
            "test_below_t_upper95": upper95(e.test.count(|s| flagged(s, t)), e.test.rows.len()),
            "extra": extra,
        },
        "bots": {
            "all": group_json(&e.all_bots, t, &e.test),
            "auc_vs_test_humans": auc_lower(&e.all_bots.scores_f(), &test_scores),
            "generators": gens,
        },
        "operating_points": points,
        "detections": dets,
        "features": feats,
        "invalid_payloads": e.invalid.len(),
        "invalid_examples": e.invalid.iter().take(5).map(|(id, err)| json!({"id": id, "error": err})).collect::<Vec<_>>(),
    })
}

fn fmt_opt(x: Option<f64>, digits: usize) -> String {
    x.map_or("–".into(), |v| format!("{v:.digits$}"))
}

pub fn markdown(e: &Eval) -> String {
    let t = e.threshold;
    let nt = e.test.rows.len();
    let below = e.test.count(|s| flagged(s, t));
    let definite = e.test.count(|s| s == 1);
    let mut m = String::new();
    let _ = writeln!(m, "### Headline\n");
    let _ = writeln!(m, "| | |\n|---|---|");
    let _ = writeln!(
        m,
        "| held-out humans (`{PRIMARY_HUMANS}` test half) | {nt} (tuning half: {}) |",
        e.tune.rows.len()
    );
    let _ = writeln!(
        m,
        "| bot trajectories | {} ({} generators) |",
        e.all_bots.rows.len(),
        e.bots.len()
    );
    let _ = writeln!(
        m,
        "| ROC AUC, all bots vs held-out humans | {} |",
        fmt_opt(auc_lower(&e.all_bots.scores_f(), &e.test.scores_f()), 3)
    );
    let _ = writeln!(
        m,
        "| held-out humans below T = {t} | {} — {} |",
        frac(below, nt),
        bound(below, nt)
    );
    let _ = writeln!(
        m,
        "| held-out humans `definite` (score 1) | {} — {} |",
        frac(definite, nt),
        bound(definite, nt)
    );
    let _ = writeln!(
        m,
        "| bots below T = {t} | {} |",
        frac(e.all_bots.count(|s| flagged(s, t)), e.all_bots.rows.len())
    );
    for h in &e.extra_humans {
        let n = h.rows.len();
        let k = h.count(|s| flagged(s, t));
        let _ = writeln!(
            m,
            "| other humans (`{}`, never tuned on) below T / `definite` | {} / {} |",
            h.name,
            frac(k, n),
            frac(h.count(|s| s == 1), n)
        );
    }
    if !e.invalid.is_empty() {
        let _ = writeln!(
            m,
            "| payloads rejected by ingest validation | {} (e.g. `{}`: {}) |",
            e.invalid.len(),
            e.invalid[0].0,
            e.invalid[0].1
        );
    }

    let _ = writeln!(m, "\n### Bots caught at a fixed share of humans flagged\n");
    let _ = writeln!(
        m,
        "The threshold θ (flag when 1 ≤ score < θ) is the largest that flags at most the target \
         share of the **tuning** half; the numbers are measured on the **held-out** half.\n"
    );
    let _ = writeln!(
        m,
        "| target human FPR | θ | tuning humans flagged | held-out humans flagged (honest bound) | bots caught |"
    );
    let _ = writeln!(m, "|---|---|---|---|---|");
    for p in &e.points {
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} | {} |",
            pct2(p.target),
            p.theta,
            frac(p.tune_flagged, e.tune.rows.len()),
            bound(p.test_flagged, nt),
            frac(p.caught_all.0, p.caught_all.1)
        );
    }

    let _ = writeln!(m, "\n### Per generator\n");
    let mut head = format!("| generator | n | ROC AUC | median score | caught at T = {t} ");
    let mut rule = "|---|---|---|---|---".to_string();
    for p in &e.points {
        let _ = write!(
            head,
            "| caught at {} FPR (θ = {}) ",
            pct2(p.target),
            p.theta
        );
        rule.push_str("|---");
    }
    let _ = writeln!(m, "{head}| `definite` |\n{rule}|---|");
    let test_f = e.test.scores_f();
    for (i, b) in e.bots.iter().enumerate() {
        let s = b.scores_f();
        let _ = write!(
            m,
            "| `{}` | {} | {} | {} | {} ",
            b.name,
            b.rows.len(),
            fmt_opt(auc_lower(&s, &test_f), 3),
            fmt_opt(median(&s), 0),
            pct(b.count(|s| flagged(s, t)), b.rows.len())
        );
        for p in &e.points {
            let (k, n) = p.caught[i];
            let _ = write!(m, "| {} ", pct(k, n));
        }
        let _ = writeln!(m, "| {} |", pct(b.count(|s| s == 1), b.rows.len()));
    }
    let _ = writeln!(
        m,
        "\nScore quantiles of the held-out humans: p1 = {}, p5 = {}, median = {}.",
        fmt_opt(quantile(&test_f, 0.01), 0),
        fmt_opt(quantile(&test_f, 0.05), 0),
        fmt_opt(median(&test_f), 0)
    );

    let _ = writeln!(m, "\n### Detections fired\n");
    let human_groups: Vec<&Group> = [&e.tune, &e.test]
        .into_iter()
        .chain(&e.extra_humans)
        .collect();
    let mut ids = BTreeSet::new();
    for g in human_groups.iter().copied().chain(&e.bots) {
        ids.extend(detection_counts(g).into_keys());
    }
    if ids.is_empty() {
        let _ = writeln!(m, "No detection fired on any trajectory.");
    } else {
        let mut head = "| detection ".to_string();
        let mut rule = "|---".to_string();
        for g in &human_groups {
            let _ = write!(head, "| humans: {} ", g.name);
            rule.push_str("|---");
        }
        let _ = writeln!(m, "{head}| all bots |\n{rule}|---|");
        let all_bots = detection_counts(&e.all_bots);
        let counts: Vec<BTreeMap<u32, usize>> =
            human_groups.iter().map(|g| detection_counts(g)).collect();
        for id in &ids {
            let _ = write!(m, "| {} ", id_label(*id, &e.names));
            for (g, c) in human_groups.iter().zip(&counts) {
                let _ = write!(
                    m,
                    "| {} ",
                    frac(c.get(id).copied().unwrap_or(0), g.rows.len())
                );
            }
            let _ = writeln!(
                m,
                "| {} |",
                frac(
                    all_bots.get(id).copied().unwrap_or(0),
                    e.all_bots.rows.len()
                )
            );
        }
        let _ = writeln!(m, "\nPer generator:\n");
        let mut head = "| detection ".to_string();
        let mut rule = "|---".to_string();
        for b in &e.bots {
            let _ = write!(head, "| `{}` ", b.name);
            rule.push_str("|---");
        }
        let _ = writeln!(m, "{head}|\n{rule}|");
        let counts: Vec<BTreeMap<u32, usize>> = e.bots.iter().map(detection_counts).collect();
        for id in &ids {
            let _ = write!(m, "| `{id}` ");
            for (b, c) in e.bots.iter().zip(&counts) {
                let _ = write!(
                    m,
                    "| {} ",
                    pct(c.get(id).copied().unwrap_or(0), b.rows.len())
                );
            }
            let _ = writeln!(m, "|");
        }
    }

    misses(&mut m, e);

    let _ = writeln!(m, "\n### What the payload itself separates\n");
    let _ = writeln!(
        m,
        "Not a score: the ROC AUC of each `mouse` payload key taken alone, bots vs held-out \
         humans (0.50 = no information; ↓ bots lower, ↑ bots higher, shown as max(AUC, 1 − AUC)). \
         A key that separates a generator well but is unused by the engines is headroom.\n"
    );
    let mut head = "| key | human median ".to_string();
    let mut rule = "|---|---".to_string();
    for b in &e.bots {
        let _ = write!(head, "| `{}` ", b.name);
        rule.push_str("|---");
    }
    let _ = writeln!(m, "{head}|\n{rule}|");
    for k in feature_keys(e) {
        let h = feature(&e.test, &k);
        let _ = write!(m, "| `{k}` | {} ", fmt_opt(median(&h), 3));
        for b in &e.bots {
            let v = feature(b, &k);
            let cell = match auc_lower(&v, &h) {
                None => "–".to_string(),
                Some(a) if a >= 0.5 => format!("{a:.2}↓"),
                Some(a) => format!("{:.2}↑", 1.0 - a),
            };
            let _ = write!(m, "| {cell} ");
        }
        let _ = writeln!(m, "|");
    }
    m
}

pub fn summary(e: &Eval) -> String {
    let t = e.threshold;
    let nt = e.test.rows.len();
    let mut s = format!(
        "{SCORER}: held-out humans: {} below T={t}, {} definite; bots: AUC {}, {} below T",
        frac(e.test.count(|s| flagged(s, t)), nt),
        frac(e.test.count(|s| s == 1), nt),
        fmt_opt(auc_lower(&e.all_bots.scores_f(), &e.test.scores_f()), 3),
        frac(e.all_bots.count(|s| flagged(s, t)), e.all_bots.rows.len()),
    );
    for p in &e.points {
        let _ = write!(
            s,
            "; at {} FPR (θ={}): {} bots caught, held-out humans {}",
            pct2(p.target),
            p.theta,
            pct(p.caught_all.0, p.caught_all.1),
            frac(p.test_flagged, nt)
        );
    }
    s
}

/// The CI assertions (issue 3 §4): held-out humans at most 1 % below T, no human `definite`,
/// and every payload accepted by ingest validation.
pub fn check_failures(e: &Eval) -> Vec<String> {
    let t = e.threshold;
    let mut f = Vec::new();
    let nt = e.test.rows.len();
    if nt == 0 {
        f.push("no held-out humans".to_string());
    }
    let below = e.test.count(|s| flagged(s, t));
    if below as f64 > 0.01 * nt as f64 {
        f.push(format!(
            "held-out humans below T={t}: {} (allowed: at most 1 %)",
            frac(below, nt)
        ));
    }
    for g in [&e.tune, &e.test].into_iter().chain(&e.extra_humans) {
        let d = g.count(|s| s == 1);
        if d > 0 {
            f.push(format!("humans ({}) scored definite: {d}", g.name));
        }
    }
    if let Some((id, err)) = e.invalid.first() {
        f.push(format!(
            "{} payloads fail ingest validation (e.g. {id}: {err})",
            e.invalid.len()
        ));
    }
    f
}

/// Generated plain-language findings: what the check says, which detections flag people,
/// which generators get through, and the payload key that would separate each best.
fn misses(m: &mut String, e: &Eval) {
    let t = e.threshold;
    let nt = e.test.rows.len();
    let _ = writeln!(m, "\n### What the engines miss\n");
    let failures = check_failures(e);
    if failures.is_empty() {
        let _ = writeln!(
            m,
            "* The CI check (held-out humans at most 1 % below T, none `definite`, every payload \
             accepted by ingest) **passes**."
        );
    } else {
        let _ = writeln!(
            m,
            "* The CI check (held-out humans at most 1 % below T, none `definite`, every payload \
             accepted by ingest) **fails**: {}.",
            failures.join("; ")
        );
    }
    let counts = detection_counts(&e.test);
    let mut on_humans: Vec<(u32, usize)> = counts.into_iter().collect();
    on_humans.sort_by_key(|b| std::cmp::Reverse(b.1));
    for (id, k) in on_humans {
        let _ = writeln!(
            m,
            "* {} fires on {} of the held-out humans.",
            id_label(id, &e.names),
            frac(k, nt)
        );
    }
    for h in &e.extra_humans {
        let k = h.count(|s| flagged(s, t));
        if k > 0 {
            let _ = writeln!(
                m,
                "* Humans of `{}` (never tuned on): {} below T.",
                h.name,
                frac(k, h.rows.len())
            );
        }
    }
    let test_f = e.test.scores_f();
    let keys = feature_keys(e);
    let mut weak: Vec<&Group> = e
        .bots
        .iter()
        .filter(|b| (b.count(|s| flagged(s, t)) as f64) < 0.9 * b.rows.len() as f64)
        .collect();
    weak.sort_by_key(|b| b.count(|s| flagged(s, t)) * 100_000 / b.rows.len().max(1));
    for b in weak {
        let h = &e.test;
        let best = keys
            .iter()
            .filter_map(|k| {
                let a = auc_lower(&feature(b, k), &feature(h, k))?;
                Some((k, a.max(1.0 - a), a >= 0.5))
            })
            .max_by(|x, y| x.1.total_cmp(&y.1));
        let _ = write!(
            m,
            "* `{}`: only {} caught below T (ROC AUC {})",
            b.name,
            pct(b.count(|s| flagged(s, t)), b.rows.len()),
            fmt_opt(auc_lower(&b.scores_f(), &test_f), 3)
        );
        match best {
            Some((k, a, lower)) => {
                let _ = writeln!(
                    m,
                    "; the payload key that separates it best alone is `{k}` (AUC {a:.2}, bots {}).",
                    if lower { "lower" } else { "higher" }
                );
            }
            None => {
                let _ = writeln!(m, ".");
            }
        }
    }
}

/// The tuning report (`--split tune`): everything measured against the **tuning** half of the
/// primary humans only, for choosing detection thresholds. It never reads the held-out half
/// or the other human sets (they are not even grouped), so nothing in it can leak test-half
/// numbers into a tuning decision.
pub fn tune_report(
    rows: &[ScoredRow],
    threshold: u8,
    names: &BTreeMap<u32, String>,
) -> (String, Value) {
    let t = threshold;
    let tune = Group {
        name: format!("{PRIMARY_HUMANS} tune"),
        rows: rows
            .iter()
            .filter(|r| r.is_human() && r.row.generator == PRIMARY_HUMANS && r.row.split == "tune")
            .collect(),
    };
    let mut gen_names: Vec<String> = Vec::new();
    for r in rows.iter().filter(|r| !r.is_human()) {
        if !gen_names.contains(&r.row.generator) {
            gen_names.push(r.row.generator.clone());
        }
    }
    let bots: Vec<Group> = gen_names
        .iter()
        .map(|g| Group {
            name: g.clone(),
            rows: rows
                .iter()
                .filter(|r| !r.is_human() && &r.row.generator == g)
                .collect(),
        })
        .collect();
    let all_bots = Group {
        name: "all bots".into(),
        rows: rows.iter().filter(|r| !r.is_human()).collect(),
    };
    let n = tune.rows.len();
    let tune_f = tune.scores_f();
    let below = tune.count(|s| flagged(s, t));
    let mut m = String::new();
    let _ = writeln!(
        m,
        "## Tuning half only (`{PRIMARY_HUMANS}` tune; no held-out human is read)\n"
    );
    let _ = writeln!(m, "| | |\n|---|---|");
    let _ = writeln!(m, "| tuning humans | {n} |");
    let _ = writeln!(
        m,
        "| tuning humans below T = {t} | {} — {} |",
        frac(below, n),
        bound(below, n)
    );
    let _ = writeln!(
        m,
        "| tuning humans `definite` | {} |",
        frac(tune.count(|s| s == 1), n)
    );
    let _ = writeln!(
        m,
        "| tuning-human score p0.5 / p1 / p5 / median | {} / {} / {} / {} |",
        fmt_opt(quantile(&tune_f, 0.005), 0),
        fmt_opt(quantile(&tune_f, 0.01), 0),
        fmt_opt(quantile(&tune_f, 0.05), 0),
        fmt_opt(median(&tune_f), 0)
    );
    let all_auc = auc_lower(&all_bots.scores_f(), &tune_f);
    let _ = writeln!(
        m,
        "| ROC AUC, all bots vs tuning humans | {} |",
        fmt_opt(all_auc, 3)
    );
    let _ = writeln!(
        m,
        "| bots below T = {t} | {} |",
        frac(all_bots.count(|s| flagged(s, t)), all_bots.rows.len())
    );

    let _ = writeln!(m, "\n### Per generator (vs tuning humans)\n");
    let _ = writeln!(
        m,
        "| generator | n | ROC AUC | median score | caught at T = {t} | `definite` |\n|---|---|---|---|---|---|"
    );
    let mut gens = serde_json::Map::new();
    for b in &bots {
        let s = b.scores_f();
        let auc = auc_lower(&s, &tune_f);
        let k = b.count(|s| flagged(s, t));
        let _ = writeln!(
            m,
            "| `{}` | {} | {} | {} | {} | {} |",
            b.name,
            b.rows.len(),
            fmt_opt(auc, 3),
            fmt_opt(median(&s), 0),
            pct(k, b.rows.len()),
            pct(b.count(|s| s == 1), b.rows.len())
        );
        gens.insert(
            b.name.clone(),
            json!({"n": b.rows.len(), "auc_vs_tune_humans": auc, "below_t": k}),
        );
    }

    let _ = writeln!(m, "\n### Detections fired (tuning humans and bots)\n");
    let human_counts = detection_counts(&tune);
    let bot_counts: Vec<BTreeMap<u32, usize>> = bots.iter().map(detection_counts).collect();
    let mut ids: BTreeSet<u32> = human_counts.keys().copied().collect();
    for c in &bot_counts {
        ids.extend(c.keys());
    }
    let mut head = "| detection | tuning humans ".to_string();
    let mut rule = "|---|---".to_string();
    for b in &bots {
        let _ = write!(head, "| `{}` ", b.name);
        rule.push_str("|---");
    }
    let _ = writeln!(m, "{head}|\n{rule}|");
    let mut dets = serde_json::Map::new();
    for id in &ids {
        let k = human_counts.get(id).copied().unwrap_or(0);
        let _ = write!(m, "| {} | {} ", id_label(*id, names), frac(k, n));
        let mut per = serde_json::Map::new();
        for (b, c) in bots.iter().zip(&bot_counts) {
            let kb = c.get(id).copied().unwrap_or(0);
            let _ = write!(m, "| {} ", pct(kb, b.rows.len()));
            per.insert(b.name.clone(), json!(kb));
        }
        let _ = writeln!(m, "|");
        dets.insert(
            id.to_string(),
            json!({"name": names.get(id), "tune_humans": k, "bots": per}),
        );
    }

    // Which findings put tuning humans below T, by the set of IDs they got.
    let mut combos: BTreeMap<Vec<u32>, usize> = BTreeMap::new();
    for r in tune.rows.iter().filter(|r| flagged(r.scored.score, t)) {
        *combos.entry(r.scored.detection_ids.clone()).or_default() += 1;
    }
    let _ = writeln!(m, "\n### Tuning humans below T, by detection IDs\n");
    if combos.is_empty() {
        let _ = writeln!(m, "None.");
    } else {
        let _ = writeln!(m, "| detection IDs (strongest first) | humans |\n|---|---|");
        let mut v: Vec<_> = combos.into_iter().collect();
        v.sort_by_key(|(_, k)| std::cmp::Reverse(*k));
        for (ids, k) in v {
            let l: Vec<String> = ids.iter().map(|i| format!("`{i:#010x}`")).collect();
            let _ = writeln!(m, "| {} | {k} |", l.join(", "));
        }
    }

    // Payload-key distributions of the tuning humans (the thresholds' evidence).
    let _ = writeln!(
        m,
        "\n### Payload keys: tuning-human quantiles and bot medians\n"
    );
    let mut keys = BTreeSet::new();
    for r in tune.rows.iter().chain(&all_bots.rows) {
        for (k, v) in &r.row.payload {
            if v.is_number() {
                keys.insert(k.clone());
            }
        }
    }
    let mut head = "| key | p0.5 | p1 | p5 | median | p95 | p99 | p99.5 ".to_string();
    let mut rule = "|---|---|---|---|---|---|---|---".to_string();
    for b in &bots {
        let _ = write!(head, "| `{}` median ", b.name);
        rule.push_str("|---");
    }
    let _ = writeln!(m, "{head}|\n{rule}|");
    let mut feats = serde_json::Map::new();
    for k in &keys {
        let h = feature(&tune, k);
        let qs: Vec<Option<f64>> = [0.005, 0.01, 0.05, 0.5, 0.95, 0.99, 0.995]
            .iter()
            .map(|q| quantile(&h, *q))
            .collect();
        let _ = write!(m, "| `{k}` ");
        for q in &qs {
            let _ = write!(m, "| {} ", fmt_opt(*q, 3));
        }
        for b in &bots {
            let _ = write!(m, "| {} ", fmt_opt(median(&feature(b, k)), 3));
        }
        let _ = writeln!(m, "|");
        feats.insert(k.clone(), json!({"tune_human_quantiles": qs}));
    }

    let json = json!({
        "scorer": SCORER,
        "split": "tune",
        "threshold": t,
        "tune_humans": {
            "n": n,
            "below_t": below,
            "definite": tune.count(|s| s == 1),
        },
        "bots": {
            "auc_vs_tune_humans": all_auc,
            "below_t": all_bots.count(|s| flagged(s, t)),
            "n": all_bots.rows.len(),
            "generators": gens,
        },
        "detections": dets,
        "features": feats,
    });
    (m, json)
}

/// The leave-one-generator-out table from js/train.mjs's `logo.json`.
pub fn logo_markdown(logo: &Value) -> anyhow::Result<String> {
    let rows = logo["generators"]
        .as_array()
        .ok_or_else(|| anyhow::anyhow!("logo.json: no generators"))?;
    let num = |r: &Value, k: &str| {
        r[k].as_f64()
            .ok_or_else(|| anyhow::anyhow!("logo.json: {k} missing"))
    };
    let mut m = String::new();
    m.push_str("\n### Leave one generator out\n\n");
    m.push_str(&format!(
        "The kinematics model alone (its logit, not the whole score), trained as \
         `bench/eval/js/train.mjs` trains the shipped one but **without the named generator**: \
         tuning-half humans and the other generators' tuning-pair bots, windows of at least {} \
         moves. Each row is that model measured on the generator it never saw (its bots on \
         held-out pairs) against the held-out humans; thresholds chosen on the tuning humans \
         (1 % of them above, and the shipped flag share, {:.2} %).\n\n",
        logo["min_moves"].as_f64().unwrap_or(0.0),
        logo["flag_share"].as_f64().unwrap_or(0.0) * 100.0,
    ));
    m.push_str("| generator left out | bots | ROC AUC | caught at 1 % FPR | held-out humans at that θ | caught at the flag share | held-out humans at it |\n");
    m.push_str("|---|---|---|---|---|---|---|\n");
    for r in rows {
        m.push_str(&format!(
            "| `{}` | {} | {:.3} | {} | {} | {} | {} |\n",
            r["generator"].as_str().unwrap_or("?"),
            num(r, "bots")?,
            num(r, "auc")?,
            pct2(num(r, "caught_at_1pct")?),
            pct2(num(r, "humans_at_1pct")?),
            pct2(num(r, "caught_at_flag")?),
            pct2(num(r, "humans_at_flag")?),
        ));
    }
    Ok(m)
}
