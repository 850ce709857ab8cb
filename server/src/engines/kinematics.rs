//! The pointer-kinematics model of the behavioral engine (`0x0200000E`): a logistic
//! regression over one `mouse` window's aggregates (speed, acceleration and jerk
//! distributions, turning, sub-movements, deviation, Fitts time; docs/ingest.md), trained by
//! `bench/eval/js/train.mjs` on the evaluation's tuning half only. Its weights are data
//! (`kinematics_model.json`); evaluating them is a pure function of the payload.
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::signals::move_count;

/// One input of the model.
#[derive(Debug, Clone, Deserialize)]
pub struct Feature {
    /// The `mouse` payload key.
    pub key: String,
    pub weight: f64,
    /// The squashed value used when the window does not report the key (the tuning humans'
    /// median: "too little data" is no evidence either way).
    pub fill: f64,
}

/// The trained model.
#[derive(Debug, Clone, Deserialize)]
pub struct Model {
    /// A window with fewer pointer moves is not judged.
    pub min_moves: f64,
    /// A logit above this is the detection; at most 0.25 % of the tuning humans exceed it.
    pub flag_logit: f64,
    pub bias: f64,
    pub features: Vec<Feature>,
}

/// The committed model.
pub static MODEL: LazyLock<Model> = LazyLock::new(|| {
    serde_json::from_str(include_str!("kinematics_model.json"))
        .expect("engines/kinematics_model.json is the output of bench/eval/js/train.mjs")
});

/// The payload key whose presence says the SDK computed kinematics for the window (older SDKs
/// and the quickstart's hand-written events do not).
pub const PRESENCE_KEY: &str = "accel_rel";

/// `sign(v) · ln(1 + |v|)`: how every input enters the model.
pub fn squash(v: f64) -> f64 {
    v.signum() * v.abs().ln_1p()
}

/// The model's logit for one window (higher = more like generated movement), or `None` when
/// the window has no kinematics or fewer than [`Model::min_moves`] moves.
pub fn window_logit(model: &Model, p: &Map<String, Value>) -> Option<f64> {
    if move_count(p) < model.min_moves || !p.contains_key(PRESENCE_KEY) {
        return None;
    }
    let z = model.features.iter().fold(model.bias, |z, f| {
        let x = p
            .get(&f.key)
            .and_then(Value::as_f64)
            .filter(|v| v.is_finite())
            .map_or(f.fill, squash);
        z + f.weight * x
    });
    z.is_finite().then_some(z)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn window(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_committed_model_parses() {
        let m = &*MODEL;
        assert!(m.min_moves >= 20.0);
        assert!(m.features.len() >= 15);
        assert!(m.bias.is_finite() && m.flag_logit.is_finite());
        assert!(
            m.features
                .iter()
                .all(|f| f.weight.is_finite() && f.fill.is_finite())
        );
    }

    #[test]
    fn small_or_old_windows_are_not_judged() {
        let m = &*MODEL;
        assert_eq!(
            window_logit(m, &window(json!({"accel_rel": 1.0, "mouse_moves": 19}))),
            None
        );
        assert_eq!(
            window_logit(m, &window(json!({"speed_cv": 0.1, "mouse_moves": 300}))),
            None
        );
        assert!(window_logit(m, &window(json!({"accel_rel": 1.0, "mouse_moves": 20}))).is_some());
    }

    /// The medians of the evaluation's held-out cursory humans (bench/eval, 44 moves).
    pub(crate) fn median_hand() -> Map<String, Value> {
        window(json!({
            "mouse_moves": 44, "accel_rel": 0.355, "jerk_rel": 0.506, "accel_sign_changes": 0.472,
            "speed_p10_rel": 0.078, "speed_p90_rel": 2.726, "speed_peak_rel": 3.671,
            "speed_autocorr": 0.881, "step_cv": 1.139, "submovements": 3, "turn_alternation": 0.351,
            "turn_p90": 0.521, "deviation_max": 0.091, "distance_50_at": 0.333,
            "distance_90_at": 0.626, "fitts_ms_per_bit": 118.0, "speed_cv": 1.152,
            "accel_cv": 1.262, "mouse_entropy": 0.583, "direction_entropy": 0.327,
            "path_straightness": 0.934, "curvature_mean": 0.012, "move_interval_cv": 0.395,
            "speed_mean": 1.21
        }))
    }

    /// The same window with the medians of the `human_curve` bots' kinematic keys (a
    /// "humanizer": eased Bézier with Gaussian noise).
    pub(crate) fn median_humanizer() -> Map<String, Value> {
        let mut w = median_hand();
        for (k, v) in window(json!({
            "accel_rel": 0.129, "jerk_rel": 0.158, "accel_sign_changes": 0.488,
            "speed_p10_rel": 0.262, "speed_p90_rel": 1.776, "speed_peak_rel": 2.573,
            "speed_autocorr": 0.848, "step_cv": 0.653, "submovements": 2,
            "turn_alternation": 0.475, "turn_p90": 0.388, "deviation_max": 0.146,
            "distance_50_at": 0.316, "distance_90_at": 0.746, "fitts_ms_per_bit": 112.3
        })) {
            w.insert(k, v);
        }
        w
    }

    #[test]
    fn a_humanizer_window_is_flagged_and_the_median_hand_is_not() {
        let m = &*MODEL;
        let h = window_logit(m, &median_hand()).unwrap();
        let b = window_logit(m, &median_humanizer()).unwrap();
        assert!(h < m.flag_logit - 2.0, "hand {h}, flag {}", m.flag_logit);
        assert!(b > m.flag_logit, "humanizer {b}, flag {}", m.flag_logit);
    }

    #[test]
    fn a_missing_key_counts_as_the_tuning_humans_median() {
        let m = &*MODEL;
        let mut w = median_hand();
        w.remove("fitts_ms_per_bit");
        let f = m
            .features
            .iter()
            .find(|f| f.key == "fitts_ms_per_bit")
            .unwrap();
        let full = window_logit(m, &median_hand()).unwrap();
        let expected = full - f.weight * squash(118.0) + f.weight * f.fill;
        assert!((window_logit(m, &w).unwrap() - expected).abs() < 1e-9);
    }
}
