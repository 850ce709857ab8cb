//! The native side of the proof-of-work benchmark (bench/pow/run.sh):
//!
//! - **solve**: for each difficulty, `--runs` challenges minted as the server mints them,
//!   solved with `botect::integrity::solve` (SHA-256 state of the challenge computed once,
//!   then one hash per nonce, one thread): what a forger's script pays per session on one
//!   core;
//! - **verify**: the server's CPU per batch carrying a proof (`botect::integrity::verify`:
//!   decoding, the HMAC, the binding digests and one SHA-256), timed over many calls.
//!
//! Prints one JSON object: `{"solve": [{"difficulty", "runs", "median_ms", "p95_ms",
//! "hashes_per_s"}], "verify_ns": …, "mint_ns": …}`.
//!
//!   cargo run --release -p botect-pow-bench -- [--difficulties 8,10,…] [--runs 30]
use std::time::Instant;

use botect::integrity::{self, Binding, Secret};
use rand::RngCore;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let difficulties: Vec<u32> = arg("--difficulties")
        .unwrap_or_else(|| "8,10,12,14,16,18,20".into())
        .split(',')
        .map(|d| d.trim().parse().expect("a difficulty"))
        .collect();
    let runs: usize = arg("--runs").map_or(30, |r| r.parse().expect("runs"));
    let mut rng = rand::rng();
    let mut key = [0u8; 32];
    rng.fill_bytes(&mut key);
    let secret = Secret::new(key);
    let binding = Binding {
        project_id: 1,
        address_prefix: "198.51.100.0/24",
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/148.0.0.0 Safari/537.36",
    };
    let now = 1_790_000_000_000;
    let mint = |rng: &mut rand::rngs::ThreadRng, difficulty: u32| {
        let mut id = [0u8; 16];
        rng.fill_bytes(&mut id);
        integrity::mint(&secret, &binding, difficulty, now, id)
    };

    let mut solve = Vec::new();
    for &d in &difficulties {
        let mut times = Vec::with_capacity(runs);
        let mut hashes = 0u64;
        for _ in 0..runs {
            let c = mint(&mut rng, d);
            let t = Instant::now();
            let n = integrity::solve(&c.challenge, d);
            times.push(t.elapsed().as_secs_f64() * 1e3);
            hashes += n + 1;
            assert!(
                integrity::verify(&secret, &binding, &c.challenge, &n.to_string(), now).is_ok(),
                "the native solution verifies"
            );
        }
        let total: f64 = times.iter().sum();
        times.sort_by(f64::total_cmp);
        solve.push(serde_json::json!({
            "difficulty": d,
            "runs": runs,
            "median_ms": percentile(&times, 0.5),
            "p95_ms": percentile(&times, 0.95),
            "hashes_per_s": (hashes as f64 / (total / 1e3)).round(),
        }));
    }

    // Verification: one proof, verified many times (every check runs, the last one passes).
    let c = mint(&mut rng, 12);
    let nonce = integrity::solve(&c.challenge, 12).to_string();
    let n = 200_000;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(integrity::verify(
            &secret,
            &binding,
            std::hint::black_box(&c.challenge),
            &nonce,
            now,
        ))
        .expect("valid");
    }
    let verify_ns = t.elapsed().as_nanos() as f64 / n as f64;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(mint(&mut rng, 18));
    }
    let mint_ns = t.elapsed().as_nanos() as f64 / n as f64;
    println!(
        "{}",
        serde_json::json!({"solve": solve, "verify_ns": verify_ns.round(), "mint_ns": mint_ns.round()})
    );
}
