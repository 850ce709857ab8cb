//! Rule evaluation cost per verdict read (issue 4's target: under 2 µs for 20 rules).
//!
//! `cargo run --release -p botect-rules-bench [-- --quick]`
//!
//! Twenty realistic rules (login protection, crawler policy, detection IDs, networks, user
//! agents, countries, behavioral thresholds, nested groups) are compiled once, as the server
//! does when it loads a project's rules, then resolved (contract §4 step 4) against verdict
//! reads. Reported per read, as the median of repeated samples (and the fastest sample):
//! - worst case: a read that matches no rule, so all 20 are evaluated;
//! - the same including building the `RuleInput` from the verdict query
//!   (`RuleInput::with_request`: IP parsing, static-resource detection);
//! - a mix of reads that stop at different rules;
//!
//! and, for reference, the save-time cost of parsing one rule.
use std::{
    alloc::{GlobalAlloc, Layout, System},
    hint::black_box,
    sync::atomic::{AtomicUsize, Ordering},
    time::Instant,
};

use botect::{
    domain::{Band, RequestContext},
    rules::{self, Rule, RuleInput},
};

/// Counts heap allocations, to check that evaluation makes none.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: delegates every call to the system allocator unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const RULES: [(&str, &str, &str); 20] = [
    (
        "block login bots",
        r#"score < 30 AND path in ["/login", "/signup", "/password/reset"] AND NOT verified_bot"#,
        "block",
    ),
    (
        "challenge risky checkout",
        r#"band in ["definite", "likely_automated"] AND path == "/checkout""#,
        "challenge",
    ),
    (
        "allow search engines",
        r#"verified_bot AND verified_bot_category in ["search", "seo"]"#,
        "allow",
    ),
    (
        "challenge AI crawlers",
        r#"verified_bot AND verified_bot_category == "AI Crawler" AND NOT path in ["/robots.txt", "/llms.txt"]"#,
        "challenge",
    ),
    (
        "block headless",
        "detection_ids in [50331648, 50331651] AND NOT verified_bot",
        "block",
    ),
    (
        "watch API",
        r#"path in ["/api/v1/search", "/api/v1/prices"] AND score < 50"#,
        "log",
    ),
    (
        "block abusive networks",
        r#"ip in ["198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "192.0.2.0/24"]"#,
        "block",
    ),
    (
        "delay scripted clients",
        r#"ua in ["python-requests/2.31.0", "curl/8.5.0", "Go-http-client/1.1", "Scrapy/2.11"] AND NOT verified_bot"#,
        "delay",
    ),
    (
        "challenge sanctioned",
        r#"country in ["KP", "IR", "SY"] AND score < 60"#,
        "challenge",
    ),
    (
        "no interaction",
        "behavioral.mouse_entropy == null AND behavioral.first_input_delay_ms == null AND score < 40",
        "challenge",
    ),
    (
        "robotic pointer",
        "behavioral.mouse_entropy < 0.05 AND behavioral.scroll_velocity > 5000",
        "block",
    ),
    (
        "failed probe on forms",
        r#"js_detection.passed == false AND path in ["/contact", "/comment"]"#,
        "challenge",
    ),
    (
        "definite on assets",
        r#"static_resource AND band == "definite""#,
        "block",
    ),
    (
        "instant input",
        "behavioral.first_input_delay_ms < 5 AND behavioral.visibility_changes == 0 AND score < 50",
        "challenge",
    ),
    (
        "admin outside office",
        r#"path == "/admin" AND ip not in ["10.0.0.0/8", "172.16.0.0/12", "fd00::/8"]"#,
        "block",
    ),
    (
        "allow monitoring",
        r#"verified_bot_category == "monitoring" AND ip in ["192.0.2.0/28"]"#,
        "allow",
    ),
    (
        "watch unscored pricing",
        r#"band == "not_computed" AND path == "/pricing""#,
        "log",
    ),
    (
        "watch contextless",
        "country == null AND ua == null AND score < 50",
        "log",
    ),
    (
        "login interaction",
        r#"(path == "/login" OR path == "/signup") AND (behavioral.mouse_entropy < 0.2 OR js_detection.passed == false) AND NOT verified_bot"#,
        "challenge",
    ),
    (
        "block definite pages",
        r#"score <= 5 AND NOT static_resource AND path not in ["/", "/health"]"#,
        "block",
    ),
];

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

fn ctx(path: &str, ip: &str, country: &str, ua: &str) -> RequestContext {
    RequestContext {
        path: path.into(),
        ip: ip.into(),
        country: country.into(),
        ua: ua.into(),
    }
}

/// A human on a product page: matches none of the rules.
fn human(c: &RequestContext) -> RuleInput<'_> {
    RuleInput {
        score: 87,
        band: Band::LikelyHuman,
        js_passed: Some(true),
        mouse_entropy: Some(0.71),
        scroll_velocity: Some(820.0),
        visibility_changes: Some(1.0),
        first_input_delay_ms: Some(240.0),
        ..RuleInput::default()
    }
    .with_request(c)
}

/// Median and minimum ns per call of `f` over `samples` samples of `iters` calls.
fn measure(samples: usize, iters: u32, mut f: impl FnMut() -> usize) -> (f64, f64) {
    let mut sink = 0usize;
    for _ in 0..iters {
        sink = sink.wrapping_add(f());
    }
    let mut per_call: Vec<f64> = (0..samples)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                sink = sink.wrapping_add(f());
            }
            t.elapsed().as_nanos() as f64 / f64::from(iters)
        })
        .collect();
    black_box(sink);
    per_call.sort_by(f64::total_cmp);
    (per_call[per_call.len() / 2], per_call[0])
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (samples, iters) = if quick { (11, 20_000) } else { (41, 200_000) };

    let rules: Vec<Rule> = RULES
        .iter()
        .map(|(name, src, action)| {
            Rule::compile(*name, src, rules::parse_action(action).unwrap(), true)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
        })
        .collect();

    // Worst case: no rule matches, all 20 are evaluated.
    let human_ctx = ctx("/products/42?ref=home", "203.0.114.9", "DE", CHROME);
    let worst = human(&human_ctx);
    let out = rules::resolve(&rules, &worst);
    assert!(
        !out.matched(),
        "the worst-case read must match no rule: {out:?}"
    );

    // A mix of reads that stop at different rules (or at none).
    let mixed_ctx = [
        ctx("/login", "198.51.100.23", "US", "python-requests/2.31.0"),
        ctx("/products/42", "66.249.66.1", "US", "Googlebot/2.1"),
        ctx("/blog/post", "20.171.207.2", "US", "GPTBot/1.2"),
        ctx("/checkout", "2001:db8::42", "US", "HeadlessChrome/126.0"),
        ctx("/assets/app.js", "::ffff:192.0.2.10", "FR", "curl/8.5.0"),
        ctx("/products/42?ref=home", "203.0.114.9", "DE", CHROME),
        ctx("/api/v1/search", "203.0.114.10", "DE", CHROME),
        ctx("", "", "", ""),
    ];
    let mixed: Vec<RuleInput<'_>> = vec![
        RuleInput {
            score: 12,
            band: Band::LikelyAutomated,
            js_passed: Some(false),
            detection_ids: &[50331651],
            ..Default::default()
        }
        .with_request(&mixed_ctx[0]),
        RuleInput {
            score: 50,
            band: Band::Verified,
            verified_bot: true,
            verified_bot_category: Some("search"),
            ..Default::default()
        }
        .with_request(&mixed_ctx[1]),
        RuleInput {
            score: 50,
            band: Band::Verified,
            verified_bot: true,
            verified_bot_category: Some("ai_crawler"),
            ..Default::default()
        }
        .with_request(&mixed_ctx[2]),
        RuleInput {
            score: 1,
            band: Band::Definite,
            js_passed: Some(false),
            detection_ids: &[50331648, 50331651],
            mouse_entropy: Some(0.02),
            ..Default::default()
        }
        .with_request(&mixed_ctx[3]),
        RuleInput {
            score: 40,
            band: Band::LikelyHuman,
            ..Default::default()
        }
        .with_request(&mixed_ctx[4]),
        human(&mixed_ctx[5]),
        RuleInput {
            score: 45,
            band: Band::LikelyHuman,
            js_passed: Some(true),
            mouse_entropy: Some(0.6),
            first_input_delay_ms: Some(300.0),
            ..Default::default()
        }
        .with_request(&mixed_ctx[6]),
        RuleInput {
            score: 55,
            band: Band::LikelyHuman,
            ..Default::default()
        }
        .with_request(&mixed_ctx[7]),
    ];
    let stops: Vec<String> = mixed
        .iter()
        .map(|i| {
            let o = rules::resolve(&rules, i);
            match (o.decided, o.logged.is_empty()) {
                (Some((n, a)), _) => format!("{n} ({})", a.as_str()),
                (None, false) => format!("log: {}", o.logged.join(", ")),
                (None, true) => "no match".into(),
            }
        })
        .collect();

    // Allocations per read: none unless a `log` rule matched (its name is noted).
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let mut logged = 0usize;
    for _ in 0..1000 {
        let o = rules::resolve(black_box(&rules), black_box(&worst));
        black_box(&o);
        for i in &mixed {
            let input = RuleInput { ..*black_box(i) };
            let o = rules::resolve(black_box(&rules), &input);
            logged += usize::from(!o.logged.is_empty());
        }
        let input = human(black_box(&human_ctx));
        black_box(rules::resolve(black_box(&rules), &input));
    }
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;

    let (worst_med, worst_min) = measure(samples, iters, || {
        let o = rules::resolve(black_box(&rules), black_box(&worst));
        usize::from(o.decided.is_some()) + o.logged.len()
    });
    let (full_med, full_min) = measure(samples, iters, || {
        let input = human(black_box(&human_ctx));
        let o = rules::resolve(black_box(&rules), &input);
        usize::from(o.decided.is_some()) + o.logged.len()
    });
    let mut k = 0usize;
    let (mixed_med, mixed_min) = measure(samples, iters, || {
        k = (k + 1) % mixed.len();
        let o = rules::resolve(black_box(&rules), black_box(&mixed[k]));
        usize::from(o.decided.is_some()) + o.logged.len()
    });
    let mut r = 0usize;
    let (parse_med, parse_min) = measure(samples, iters / 20, || {
        r = (r + 1) % RULES.len();
        rules::parse(black_box(RULES[r].1))
            .map_or(0, |e| usize::from(matches!(e, rules::Expr::And(_))))
    });

    println!(
        "botect rules benchmark: {} rules, {samples} samples x {iters} reads (release build)",
        rules.len()
    );
    println!(
        "worst case, all 20 rules evaluated (no match):   median {worst_med:7.1} ns/read   min {worst_min:7.1} ns"
    );
    println!(
        "  + RuleInput::with_request (IP parse, static):  median {full_med:7.1} ns/read   min {full_min:7.1} ns"
    );
    println!(
        "mixed reads (first match stops evaluation):       median {mixed_med:7.1} ns/read   min {mixed_min:7.1} ns"
    );
    println!(
        "parse + type-check one rule (save time):          median {parse_med:7.1} ns/rule   min {parse_min:7.1} ns"
    );
    println!("mixed reads stop at: {}", stops.join(" | "));
    println!(
        "heap allocations: {allocations} in 10000 reads, {logged} of which matched a log rule (only those allocate)"
    );
    assert!(allocations <= logged, "evaluation allocated");
    let target = 2000.0;
    println!(
        "target: under {target} ns per read for 20 rules -> {}",
        if full_med < target { "met" } else { "MISSED" }
    );
}
