//! Rank statistics and the honest error bound. Scores follow the contract: lower = more
//! bot-like, 0 = not computed (never counted as flagged).

/// ROC AUC with bots as the positive class when a *lower* value means "more bot":
/// P(bot < human) + ½ P(bot = human) (Mann–Whitney, ties count half).
pub fn auc_lower(bots: &[f64], humans: &[f64]) -> Option<f64> {
    if bots.is_empty() || humans.is_empty() {
        return None;
    }
    let mut all: Vec<(f64, bool)> = bots
        .iter()
        .map(|&v| (v, true))
        .chain(humans.iter().map(|&v| (v, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Sum of the humans' (1-based, tie-averaged) ranks → U for "bot below human".
    let mut rank_sum_humans = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0 == all[i].0 {
            j += 1;
        }
        let avg_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum_humans += avg_rank * all[i..j].iter().filter(|(_, b)| !b).count() as f64;
        i = j;
    }
    let nh = humans.len() as f64;
    let nb = bots.len() as f64;
    let u = rank_sum_humans - nh * (nh + 1.0) / 2.0;
    Some(u / (nh * nb))
}

/// Flagged at threshold `theta`: a computed score strictly below it.
pub fn flagged(score: u8, theta: u8) -> bool {
    score >= 1 && score < theta
}

/// The largest threshold θ (flag when 1 ≤ score < θ) whose share of flagged scores in
/// `tune` is at most `target`. θ = 1 flags nothing.
pub fn threshold_for(tune: &[u8], target: f64) -> u8 {
    let n = tune.len().max(1) as f64;
    (1..=100u8)
        .rev()
        .find(|&theta| tune.iter().filter(|&&s| flagged(s, theta)).count() as f64 / n <= target)
        .unwrap_or(1)
}

fn ln_binom_pmf(k: u64, n: u64, p: f64) -> f64 {
    let lg = |x: u64| ln_gamma(x as f64 + 1.0);
    lg(n) - lg(k) - lg(n - k) + k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln()
}

/// Lanczos approximation of ln Γ(x), x > 0.
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

fn binom_cdf(k: u64, n: u64, p: f64) -> f64 {
    if p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return if k >= n { 1.0 } else { 0.0 };
    }
    (0..=k).map(|i| ln_binom_pmf(i, n, p).exp()).sum()
}

/// One-sided 95 % upper confidence bound on a rate after `k` events in `n` trials
/// (Clopper–Pearson). For k = 0 this is 1 − 0.05^(1/n) ≈ 3/n, the "rule of three".
pub fn upper95(k: usize, n: usize) -> f64 {
    if n == 0 {
        return 1.0;
    }
    if k >= n {
        return 1.0;
    }
    let (k, n) = (k as u64, n as u64);
    let (mut lo, mut hi) = (k as f64 / n as f64, 1.0);
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if binom_cdf(k, n, mid) > 0.05 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// Median (lower middle) of a sample.
pub fn median(v: &[f64]) -> Option<f64> {
    quantile(v, 0.5)
}

/// Empirical quantile (nearest rank).
pub fn quantile(v: &[f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let i = ((q * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1;
    Some(s[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_perfect_inverse_and_ties() {
        assert_eq!(auc_lower(&[1.0, 2.0], &[3.0, 4.0]), Some(1.0));
        assert_eq!(auc_lower(&[3.0, 4.0], &[1.0, 2.0]), Some(0.0));
        assert_eq!(auc_lower(&[5.0], &[5.0, 5.0]), Some(0.5));
        // one bot below both humans, one tied with one human and above the other
        assert_eq!(auc_lower(&[1.0, 3.0], &[2.0, 3.0]), Some((2.0 + 0.5) / 4.0));
    }

    #[test]
    fn threshold_respects_the_tune_budget() {
        let tune: Vec<u8> = (1..=100).map(|i| i as u8).collect::<Vec<_>>()[..99].to_vec();
        // scores 1..=99; 1 % of 99 allows 0 flagged → θ = 1
        assert_eq!(threshold_for(&tune, 0.01), 1);
        // 5 % of 99 = 4.95 → 4 flagged (scores 1–4) → θ = 5
        assert_eq!(threshold_for(&tune, 0.05), 5);
        assert_eq!(threshold_for(&[50; 10], 0.0), 50);
    }

    #[test]
    fn rule_of_three() {
        let u = upper95(0, 1000);
        assert!((u - (1.0 - 0.05f64.powf(1.0 / 1000.0))).abs() < 1e-9, "{u}");
        assert!(u < 3.0 / 1000.0 && u > 2.9 / 1000.0);
        let u1 = upper95(1, 100);
        assert!((u1 - 0.0466).abs() < 0.0005, "{u1}");
    }
}
