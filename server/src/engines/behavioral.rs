//! Behavioral engine (family `0x02`): how the pointer, keyboard, scrolling, page visibility
//! and first input behaved. Graded; never abstains (a session always has events), and gives
//! the natural-interaction score when nothing fires.
//!
//! Thresholds are constants chosen on the tuning half of the evaluation's recorded human
//! trajectories (`bench/eval/run.sh --split tune`; results in `docs/evaluation.md`); each is
//! documented in `docs/detections.md`.
use super::{EngineOutput, Finding, Signals, Strength, kinematics, registry::ids};

/// Mouse entropy below this is machine-like movement.
pub const LOW_ENTROPY: f64 = 0.3;
/// Low mouse entropy counts only from a window of at least this many pointer moves: the
/// entropy is taken over 32 direction × speed cells, and from fewer segments a short or slow
/// human movement fills too few cells to say anything (the four cursory tuning-half humans
/// below 0.3 had 21–33 moves).
pub const LOW_ENTROPY_MIN_MOVES: f64 = 40.0;
/// Score of a session with interaction but no entropy reported.
pub const DEFAULT_HUMAN_SCORE: u8 = 70;
/// Score of weak findings: visible, corroborating, but never a bot band at the default T.
pub const WEAK: u8 = 45;

pub const SYNTHETIC_MIN_MOVES: f64 = 10.0;
/// Mean straightness over ≥ 3 strokes.
pub const STRAIGHTNESS: f64 = 0.995;
/// Straightness over any number of strokes (a single movement included), over at least
/// [`STRAIGHT_MIN_MOVES`] moves.
pub const STRAIGHTNESS_ANY: f64 = 0.999;
pub const STRAIGHT_MIN_MOVES: f64 = 20.0;
/// `speed_cv` below this over ≥ [`UNIFORM_MIN_MOVES`] moves: uniform speed (score 18).
pub const UNIFORM_CV: f64 = 0.3;
/// `accel_cv` below this over ≥ [`UNIFORM_MIN_MOVES`] moves: uniform speed too.
pub const UNIFORM_ACCEL_CV: f64 = 0.15;
pub const UNIFORM_MIN_MOVES: f64 = 20.0;
/// `speed_cv` below this over ≥ [`PATTERN_MIN_MOVES`] moves: near-uniform speed (score 26).
pub const NEAR_UNIFORM_CV: f64 = 0.45;
/// Moves needed by the interval, near-uniform speed and direction detections.
pub const PATTERN_MIN_MOVES: f64 = 30.0;
pub const METRONOMIC_CV: f64 = 0.01;
pub const METRONOMIC_CV_WEAK: f64 = 0.03;
/// Display refresh rates (Hz) whose frame period a steady pointer-event clock may simply be:
/// browsers deliver `pointermove`/`mousemove` once per frame, so a person moving steadily on a
/// 60 Hz screen produces events every 16.7 ms with almost no variation.
pub const DISPLAY_REFRESH_HZ: [f64; 10] = [
    30.0, 50.0, 60.0, 75.0, 90.0, 100.0, 120.0, 144.0, 165.0, 240.0,
];
/// How close (relative) a mean interval must be to a frame period to count as one.
pub const FRAME_PERIOD_TOLERANCE: f64 = 0.025;
pub const SUPERHUMAN_INTERVAL_MS: f64 = 3.0;
/// `direction_entropy` below this over ≥ [`PATTERN_MIN_MOVES`] moves: mechanical directions.
pub const LOW_DIRECTION_ENTROPY: f64 = 0.02;
/// `direction_entropy` below this in dense windows (≥ [`DENSE_WINDOW_MOVES`](super::signals::DENSE_WINDOW_MOVES) moves each):
/// mechanical too. The longer a person moves, the more their hand's corrections show up as
/// direction changes (the lowest direction entropy of the cursory tuning half rises from 0.04
/// at ≥ 40 moves to 0.21 at ≥ 80), so the threshold can be higher there.
pub const LOW_DIRECTION_ENTROPY_DENSE: f64 = 0.1;
pub const KEY_DWELL_MS: f64 = 10.0;
pub const KEY_INTERVAL_MS: f64 = 15.0;
pub const KEY_INTERVAL_CV: f64 = 0.1;
/// The inter-key variation criterion judges typing rhythm only: windows whose mean interval is
/// at most this. Slower, deliberate presses (Tab through a form, Ctrl+V into each field, Space
/// on a box) have no rhythm to be too regular; a person's steady pace through them can have a
/// low variation (a keyboard-only stand-in who pasted into every field reached 0.07 at a mean
/// of about 600 ms).
pub const KEY_RHYTHM_MAX_MEAN_MS: f64 = 400.0;
pub const INSTANT_INPUT_MS: f64 = 100.0;
pub const QUICK_INPUT_MS: f64 = 400.0;
pub const SCROLL_VELOCITY: f64 = 20_000.0;

/// The mean interval is (within [`FRAME_PERIOD_TOLERANCE`]) the frame period of a common
/// display refresh rate.
pub fn is_frame_period(ms: f64) -> bool {
    DISPLAY_REFRESH_HZ
        .iter()
        .any(|hz| (ms - 1000.0 / hz).abs() <= FRAME_PERIOD_TOLERANCE * 1000.0 / hz)
}

/// `screen_offset_gap` from which the viewport is emulated (a real window's is at most 0; 1 px
/// of rounding allowed).
pub const EMULATED_VIEWPORT_GAP_PX: f64 = 2.0;

/// Score points per logit unit above the kinematics model's flag logit (from 29 down to 10).
pub const KINEMATIC_FLAG_SLOPE: f64 = 3.0;
/// Score points per logit unit below the flag logit: the natural-interaction score of a
/// session whose pointer the model judged is at most `30 + 12 × (flag − logit)`.
pub const KINEMATIC_NATURAL_SLOPE: f64 = 12.0;

/// How far the session's kinematics logit (its judged windows' mean) is above the model's
/// flag logit; positive is the detection. `None` when no window was judged, or on a touch
/// device (the model knows mouse movement only).
pub fn kinematic_margin(s: &Signals) -> Option<f64> {
    if s.touch_device {
        return None;
    }
    let z = s.pointer.kinematic_logit.get()?;
    Some(z - kinematics::MODEL.flag_logit)
}

/// The natural-interaction score: `round(50 + 50 × entropy)` (65–99 for entropy ≥ 0.3), or
/// [`DEFAULT_HUMAN_SCORE`] without entropy; at most the kinematics bound
/// ([`KINEMATIC_NATURAL_SLOPE`]) when the model judged the pointer and did not flag it.
pub fn human_score(s: &Signals) -> u8 {
    let natural = match s.mouse_entropy {
        Some(e) => (50.0 + e * 50.0).round().clamp(2.0, 99.0) as u8,
        None => DEFAULT_HUMAN_SCORE,
    };
    match kinematic_margin(s) {
        Some(m) if m <= 0.0 => natural.min(
            (30.0 - KINEMATIC_NATURAL_SLOPE * m)
                .round()
                .clamp(30.0, 99.0) as u8,
        ),
        _ => natural,
    }
}

/// Runs the behavioral detections.
pub fn assess(s: &Signals) -> Option<EngineOutput> {
    let mut out = Vec::new();
    let graded = |id, score, reason: String| Finding::new(id, score, Strength::Graded, reason);
    let moves = s.moves();
    let pt = &s.pointer;

    if !s.human_interaction() {
        out.push(graded(
            ids::NO_INTERACTION,
            15,
            "No human interaction recorded".into(),
        ));
    }
    // Entropy reported without a move count (the quickstart's form) is taken as it is.
    if let Some(e) = s.mouse_entropy.filter(|e| *e < LOW_ENTROPY)
        && s.entropy_moves.is_none_or(|m| m >= LOW_ENTROPY_MIN_MOVES)
    {
        out.push(graded(
            ids::LOW_MOUSE_ENTROPY,
            (10.0 + e * 50.0).round() as u8,
            format!("Low mouse-movement entropy ({e:.2}); machine-like pointer path"),
        ));
    }
    if let Some(m) = kinematic_margin(s).filter(|m| *m > 0.0) {
        let flag = kinematics::MODEL.flag_logit;
        out.push(graded(
            ids::MACHINE_KINEMATICS,
            (29.0 - KINEMATIC_FLAG_SLOPE * m).round().clamp(10.0, 29.0) as u8,
            format!(
                "Machine-like pointer kinematics (model logit {:.2} over {} judged window{}, flagged above {flag:.2})",
                flag + m,
                pt.kinematic_windows,
                if pt.kinematic_windows == 1 { "" } else { "s" }
            ),
        ));
    }
    if let Some(gap) = pt
        .screen_offset_gap
        .filter(|g| *g >= EMULATED_VIEWPORT_GAP_PX)
    {
        out.push(graded(
            ids::EMULATED_VIEWPORT_INPUT,
            8,
            format!(
                "Pointer events place the viewport {gap:.0} px beyond the window's chrome (an emulated viewport)"
            ),
        ));
    }
    if pt.pressureless_downs > 0.0 && pt.pressureless_downs >= pt.mouse_downs {
        out.push(graded(
            ids::PRESSURELESS_MOUSE_DOWNS,
            10,
            format!(
                "Mouse buttons pressed with zero pressure ({:.0} of {:.0} presses; DevTools-dispatched input)",
                pt.pressureless_downs, pt.mouse_downs
            ),
        ));
    }
    if let Some(r) = pt.trusted_ratio.get()
        && pt.trusted_basis >= SYNTHETIC_MIN_MOVES
        && r < 0.5
    {
        out.push(graded(
            ids::SYNTHETIC_EVENTS,
            (2.0 + r * 6.0).round() as u8,
            format!(
                "Synthetic input events ({:.0}% of pointer events untrusted)",
                (1.0 - r) * 100.0
            ),
        ));
    }
    let strokes = pt.strokes.unwrap_or(0.0);
    if let Some(st) = pt.straightness.get()
        && ((st >= STRAIGHTNESS && (strokes >= 3.0 || (pt.strokes.is_none() && moves >= 20.0)))
            || (st >= STRAIGHTNESS_ANY && moves >= STRAIGHT_MIN_MOVES))
    {
        out.push(graded(
            ids::STRAIGHT_PATHS,
            10,
            format!("Straight-line pointer paths (straightness {st:.3})"),
        ));
    }
    if moves >= UNIFORM_MIN_MOVES {
        let speed = pt.speed_cv.get().filter(|v| *v < UNIFORM_CV);
        let accel = pt.accel_cv.get().filter(|v| *v < UNIFORM_ACCEL_CV);
        let near = pt
            .speed_cv
            .get()
            .filter(|v| *v < NEAR_UNIFORM_CV && moves >= PATTERN_MIN_MOVES);
        let finding = match (speed, accel, near) {
            (Some(cv), _, _) => Some((18, format!("Uniform pointer speed (variation {cv:.2})"))),
            (None, Some(cv), _) => Some((
                18,
                format!("Uniform pointer acceleration (variation {cv:.2})"),
            )),
            (None, None, Some(cv)) => Some((
                26,
                format!("Near-uniform pointer speed (variation {cv:.2})"),
            )),
            _ => None,
        };
        if let Some((score, reason)) = finding {
            out.push(graded(ids::UNIFORM_SPEED, score, reason));
        }
    }
    if moves >= PATTERN_MIN_MOVES {
        // A steady clock at a display's frame period is how browsers deliver pointer events
        // to everyone; only a steady clock at any other period (or an unreported one) is
        // mechanical.
        let mean = pt.interval_mean_ms.get();
        if let Some(cv) = pt.interval_cv.get().filter(|cv| *cv < METRONOMIC_CV_WEAK)
            && !mean.is_some_and(is_frame_period)
        {
            let score = if cv < METRONOMIC_CV { 24 } else { WEAK };
            let every = mean.map_or(String::new(), |ms| format!("every {ms:.1} ms, "));
            out.push(graded(
                ids::METRONOMIC_TIMING,
                score,
                format!("Metronomic pointer timing ({every}interval variation {cv:.3})"),
            ));
        }
        if let Some(ms) = pt
            .interval_mean_ms
            .get()
            .filter(|ms| *ms < SUPERHUMAN_INTERVAL_MS)
        {
            out.push(graded(
                ids::SUPERHUMAN_POINTER_RATE,
                25,
                format!("Pointer events every {ms:.1} ms, faster than the display"),
            ));
        }
        let dense = pt
            .direction_entropy_dense
            .get()
            .filter(|h| *h < LOW_DIRECTION_ENTROPY_DENSE);
        if let Some(h) = pt
            .direction_entropy
            .get()
            .filter(|h| *h < LOW_DIRECTION_ENTROPY)
            .or(dense)
        {
            out.push(graded(
                ids::LOW_DIRECTION_ENTROPY,
                20,
                format!("Mechanical movement directions (direction entropy {h:.3})"),
            ));
        }
    }
    if strokes >= 5.0 && pt.pauses == Some(0.0) && pt.overshoots == Some(0.0) {
        out.push(graded(
            ids::NO_CORRECTIONS,
            WEAK,
            format!("No pauses or corrections over {strokes:.0} strokes"),
        ));
    }

    let kb = &s.keyboard;
    if kb.timed >= 5.0 {
        let mut why = Vec::new();
        let mut score = u8::MAX;
        // A virtual keyboard sends keydown and keyup together: on a touch device a short
        // dwell says nothing (the inter-key timing still counts).
        if let Some(d) = kb
            .dwell_mean_ms
            .get()
            .filter(|d| *d < KEY_DWELL_MS && !s.touch_device)
        {
            why.push(format!("key dwell {d:.1} ms"));
            score = score.min(10);
        }
        if let Some(i) = kb.interval_mean_ms.get().filter(|i| *i < KEY_INTERVAL_MS) {
            why.push(format!("inter-key {i:.1} ms"));
            score = score.min(10);
        }
        if kb.timed >= 10.0
            && kb
                .interval_mean_ms
                .get()
                .is_none_or(|ms| ms <= KEY_RHYTHM_MAX_MEAN_MS)
            && let Some(cv) = kb.interval_cv.get().filter(|cv| *cv < KEY_INTERVAL_CV)
        {
            why.push(format!("inter-key variation {cv:.2}"));
            score = score.min(22);
        }
        if !why.is_empty() {
            out.push(graded(
                ids::ROBOTIC_KEYSTROKES,
                score,
                format!("Robotic keystroke timing ({})", why.join(", ")),
            ));
        }
    }
    if let Some(ms) = s.time_to_first_input_ms.filter(|ms| *ms < QUICK_INPUT_MS) {
        let score = if ms < INSTANT_INPUT_MS { 20 } else { WEAK };
        out.push(graded(
            ids::INSTANT_FIRST_INPUT,
            score,
            format!("First input {ms:.0} ms after navigation"),
        ));
    }
    if s.human_interaction() && s.visible_ms == Some(0.0) && s.total_ms.is_some_and(|t| t >= 1000.0)
    {
        out.push(graded(
            ids::HIDDEN_INTERACTION,
            10,
            "Interaction while the page was never visible".into(),
        ));
    }
    if let Some(v) = s.scroll_velocity.filter(|v| *v > SCROLL_VELOCITY) {
        out.push(graded(
            ids::IMPLAUSIBLE_SCROLL,
            WEAK,
            format!("Programmatic scrolling ({v:.0} px/s)"),
        ));
    }

    let score = out
        .iter()
        .map(|f| f.score)
        .min()
        .unwrap_or_else(|| human_score(s));
    Some(EngineOutput {
        engine: "behavioral",
        score: Some(score),
        findings: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::EventKind;
    use serde_json::{Value, json};

    fn signals(events: &[(EventKind, Value)]) -> Signals {
        crate::engines::signals::fold_json(events)
    }

    fn ids_of(events: &[(EventKind, Value)]) -> Vec<u32> {
        assess(&signals(events))
            .unwrap()
            .findings
            .iter()
            .map(|f| f.id)
            .collect()
    }

    fn score_of(events: &[(EventKind, Value)]) -> u8 {
        assess(&signals(events)).unwrap().score.unwrap()
    }

    /// A human-looking pointer window with SDK aggregates; `over` replaces keys.
    fn mouse(over: Value) -> (EventKind, Value) {
        let mut base = json!({
            "mouse_entropy": 0.72, "pointer_moves": 240, "stroke_count": 8,
            "move_interval_mean_ms": 16.9, "move_interval_cv": 0.42, "path_straightness": 0.91,
            "speed_mean": 0.8, "speed_cv": 0.74, "accel_cv": 1.3, "curvature_mean": 0.02,
            "direction_entropy": 0.66, "pause_count": 5, "overshoot_count": 2, "trusted_ratio": 1
        });
        for (k, v) in over.as_object().unwrap() {
            base[k] = v.clone();
        }
        (EventKind::Mouse, base)
    }

    #[test]
    fn natural_sessions_have_no_findings_and_entropy_score() {
        assert_eq!(ids_of(&[mouse(json!({}))]), Vec::<u32>::new());
        assert_eq!(score_of(&[mouse(json!({}))]), 86);
        let q = [(EventKind::Mouse, json!({"entropy": 0.74, "samples": 128}))];
        assert_eq!(ids_of(&q), Vec::<u32>::new());
        assert_eq!(score_of(&q), 87);
        assert_eq!(
            score_of(&[(EventKind::FirstInput, json!({"key_events": 3}))]),
            DEFAULT_HUMAN_SCORE
        );
    }

    fn with(w: serde_json::Map<String, Value>, over: Value) -> (EventKind, Value) {
        let mut v = Value::Object(w);
        for (k, x) in over.as_object().unwrap() {
            v[k] = x.clone();
        }
        (EventKind::Mouse, v)
    }

    #[test]
    fn machine_kinematics_are_graded_and_bound_the_natural_score() {
        use crate::engines::kinematics::tests::{median_hand, median_humanizer};
        let hand = [with(median_hand(), json!({}))];
        assert_eq!(ids_of(&hand), Vec::<u32>::new());
        let natural = score_of(&hand);
        assert!((30..=99).contains(&natural), "{natural}");
        let bot = [with(median_humanizer(), json!({}))];
        assert_eq!(ids_of(&bot), vec![ids::MACHINE_KINEMATICS]);
        let s = score_of(&bot);
        assert!((10..=29).contains(&s), "{s}");
        // Windows under 20 moves are not judged, and the model knows no touch screens.
        assert_eq!(
            ids_of(&[with(median_humanizer(), json!({"mouse_moves": 19}))]),
            Vec::<u32>::new()
        );
        assert_eq!(
            ids_of(&[with(
                median_humanizer(),
                json!({"pointer_types": ["touch"]})
            )]),
            Vec::<u32>::new()
        );
        // Windows are weighted by their moves: a long human window outweighs a short
        // generated one.
        let mixed = [
            with(median_hand(), json!({"mouse_moves": 400})),
            with(median_humanizer(), json!({"mouse_moves": 20})),
        ];
        assert_eq!(ids_of(&mixed), Vec::<u32>::new());
    }

    #[test]
    fn emulated_viewport_input() {
        assert_eq!(
            ids_of(&[mouse(json!({"screen_offset_gap": 87}))]),
            vec![ids::EMULATED_VIEWPORT_INPUT]
        );
        assert_eq!(
            ids_of(&[mouse(json!({"screen_offset_gap": 2}))]),
            vec![ids::EMULATED_VIEWPORT_INPUT]
        );
        // A real window: the viewport inside its chrome (0), or docked DevTools below it.
        for gap in [1, 0, -8, -420] {
            assert_eq!(
                ids_of(&[mouse(json!({"screen_offset_gap": gap}))]),
                Vec::<u32>::new()
            );
        }
    }

    #[test]
    fn pressureless_mouse_downs() {
        let all = [mouse(json!({"mouse_downs": 3, "pressureless_downs": 3}))];
        assert_eq!(ids_of(&all), vec![ids::PRESSURELESS_MOUSE_DOWNS]);
        assert_eq!(score_of(&all), 10);
        for (downs, zero) in [(3, 1), (2, 0), (0, 0)] {
            assert_eq!(
                ids_of(&[mouse(
                    json!({"mouse_downs": downs, "pressureless_downs": zero})
                )]),
                Vec::<u32>::new()
            );
        }
    }

    #[test]
    fn no_interaction() {
        let page = [(EventKind::Page, json!({"page_path_hash": "ab"}))];
        assert_eq!(ids_of(&page), vec![ids::NO_INTERACTION]);
        assert_eq!(score_of(&page), 15);
        assert!(!ids_of(&[mouse(json!({}))]).contains(&ids::NO_INTERACTION));
    }

    #[test]
    fn low_mouse_entropy() {
        let low = [(EventKind::Mouse, json!({"entropy": 0.05, "samples": 500}))];
        assert_eq!(ids_of(&low), vec![ids::LOW_MOUSE_ENTROPY]);
        assert_eq!(score_of(&low), 13);
        let edge = [(EventKind::Mouse, json!({"entropy": 0.3, "samples": 50}))];
        assert_eq!(ids_of(&edge), Vec::<u32>::new());
        // The same low entropy from too few moves says nothing; an SDK window counts each
        // move once although it reports both mouse_moves and pointer_moves.
        let few = [mouse(
            json!({"mouse_entropy": 0.1, "pointer_moves": 30, "mouse_moves": 30}),
        )];
        assert_eq!(ids_of(&few), Vec::<u32>::new());
        let enough = [mouse(
            json!({"mouse_entropy": 0.1, "pointer_moves": 40, "mouse_moves": 40}),
        )];
        assert_eq!(ids_of(&enough), vec![ids::LOW_MOUSE_ENTROPY]);
        // No move count at all: the reported entropy is taken as it is (and without any
        // count the session records no interaction either).
        let bare = ids_of(&[(EventKind::Mouse, json!({"entropy": 0.1}))]);
        assert!(bare.contains(&ids::LOW_MOUSE_ENTROPY), "{bare:?}");
    }

    #[test]
    fn synthetic_events() {
        assert_eq!(
            ids_of(&[mouse(json!({"trusted_ratio": 0.2}))]),
            vec![ids::SYNTHETIC_EVENTS]
        );
        assert_eq!(score_of(&[mouse(json!({"trusted_ratio": 0.2}))]), 3);
        // All synthetic: also no human interaction.
        let all = ids_of(&[mouse(json!({"trusted_ratio": 0}))]);
        assert!(all.contains(&ids::SYNTHETIC_EVENTS) && all.contains(&ids::NO_INTERACTION));
        assert_eq!(score_of(&[mouse(json!({"trusted_ratio": 0}))]), 2);
        assert_eq!(
            ids_of(&[mouse(json!({"trusted_ratio": 0.5}))]),
            Vec::<u32>::new()
        );
        // Too few events to say.
        assert_eq!(
            ids_of(&[mouse(json!({"trusted_ratio": 0, "pointer_moves": 5}))]),
            Vec::<u32>::new()
        );
    }

    #[test]
    fn straight_paths() {
        assert_eq!(
            ids_of(&[mouse(json!({"path_straightness": 0.999}))]),
            vec![ids::STRAIGHT_PATHS]
        );
        assert_eq!(
            ids_of(&[mouse(json!({"path_straightness": 0.99}))]),
            Vec::<u32>::new()
        );
        // Fewer than 3 strokes: only a near-perfect line counts, over enough moves.
        assert_eq!(
            ids_of(&[mouse(
                json!({"path_straightness": 0.998, "stroke_count": 2})
            )]),
            Vec::<u32>::new()
        );
        assert_eq!(
            ids_of(&[mouse(
                json!({"path_straightness": 0.999, "stroke_count": 1})
            )]),
            vec![ids::STRAIGHT_PATHS]
        );
        assert_eq!(
            ids_of(&[mouse(
                json!({"path_straightness": 1.0, "stroke_count": 1, "pointer_moves": 15})
            )]),
            Vec::<u32>::new()
        );
    }

    #[test]
    fn uniform_speed() {
        assert_eq!(
            ids_of(&[mouse(json!({"speed_cv": 0.05}))]),
            vec![ids::UNIFORM_SPEED]
        );
        assert_eq!(
            ids_of(&[mouse(json!({"accel_cv": 0.1}))]),
            vec![ids::UNIFORM_SPEED]
        );
        assert_eq!(score_of(&[mouse(json!({"speed_cv": 0.29}))]), 18);
        assert_eq!(
            ids_of(&[mouse(json!({"speed_cv": 0.5, "accel_cv": 0.2}))]),
            Vec::<u32>::new()
        );
        assert_eq!(
            ids_of(&[mouse(json!({"speed_cv": 0.05, "pointer_moves": 10}))]),
            Vec::<u32>::new()
        );
        // Near-uniform: weaker, and only over more moves.
        assert_eq!(
            ids_of(&[mouse(json!({"speed_cv": 0.4}))]),
            vec![ids::UNIFORM_SPEED]
        );
        assert_eq!(score_of(&[mouse(json!({"speed_cv": 0.4}))]), 26);
        assert_eq!(
            ids_of(&[mouse(json!({"speed_cv": 0.4, "pointer_moves": 25}))]),
            Vec::<u32>::new()
        );
        assert_eq!(
            ids_of(&[mouse(json!({"speed_cv": 0.45}))]),
            Vec::<u32>::new()
        );
    }

    #[test]
    fn metronomic_timing() {
        // A steady 12 ms clock is no display's frame period.
        let at =
            |ms: f64, cv: f64| mouse(json!({"move_interval_mean_ms": ms, "move_interval_cv": cv}));
        let strong = assess(&signals(&[at(12.0, 0.004)])).unwrap();
        assert_eq!(strong.findings[0].id, ids::METRONOMIC_TIMING);
        assert_eq!(strong.score, Some(24));
        let weak = assess(&signals(&[at(12.0, 0.02)])).unwrap();
        assert_eq!(weak.findings[0].id, ids::METRONOMIC_TIMING);
        assert_eq!(weak.score, Some(WEAK));
        assert_eq!(ids_of(&[at(12.0, 0.05)]), Vec::<u32>::new());
        // The same steadiness at a display frame period is how browsers deliver events:
        // 60 Hz (16/17 ms alternating), 144 Hz, 120 Hz.
        for ms in [16.6, 16.7, 6.9, 8.3] {
            assert_eq!(ids_of(&[at(ms, 0.004)]), Vec::<u32>::new(), "{ms}");
        }
        // Too few moves to say.
        assert_eq!(
            ids_of(&[mouse(
                json!({"move_interval_mean_ms": 12.0, "move_interval_cv": 0.004, "pointer_moves": 25})
            )]),
            Vec::<u32>::new()
        );
    }

    #[test]
    fn frame_periods() {
        assert!(is_frame_period(1000.0 / 60.0) && is_frame_period(16.5) && is_frame_period(6.94));
        assert!(!is_frame_period(12.0) && !is_frame_period(15.0) && !is_frame_period(25.0));
    }

    #[test]
    fn superhuman_pointer_rate() {
        assert_eq!(
            ids_of(&[mouse(json!({"move_interval_mean_ms": 1.2}))]),
            vec![ids::SUPERHUMAN_POINTER_RATE]
        );
        assert_eq!(
            ids_of(&[mouse(json!({"move_interval_mean_ms": 4.2}))]),
            Vec::<u32>::new()
        );
    }

    #[test]
    fn low_direction_entropy() {
        assert_eq!(
            ids_of(&[mouse(json!({"direction_entropy": 0.01}))]),
            vec![ids::LOW_DIRECTION_ENTROPY]
        );
        // Fairly straight human moves of a few dozen samples reach 0.05.
        assert_eq!(
            ids_of(&[mouse(
                json!({"direction_entropy": 0.05, "pointer_moves": 50})
            )]),
            Vec::<u32>::new()
        );
        assert_eq!(
            ids_of(&[mouse(
                json!({"direction_entropy": 0.0, "pointer_moves": 25})
            )]),
            Vec::<u32>::new()
        );
        // Dense windows (≥ 80 moves each): below 0.1 is mechanical already.
        let dense =
            |moves: u32, h: f64| mouse(json!({"direction_entropy": h, "pointer_moves": moves}));
        assert_eq!(ids_of(&[dense(80, 0.08)]), vec![ids::LOW_DIRECTION_ENTROPY]);
        assert_eq!(ids_of(&[dense(80, 0.12)]), Vec::<u32>::new());
        assert_eq!(ids_of(&[dense(79, 0.08)]), Vec::<u32>::new());
        // Short windows with low entropy do not make a dense one, however many there are.
        assert_eq!(
            ids_of(&[dense(50, 0.05), dense(50, 0.05), dense(50, 0.05)]),
            Vec::<u32>::new()
        );
    }

    #[test]
    fn no_corrections_is_weak() {
        let e = [mouse(json!({"pause_count": 0, "overshoot_count": 0}))];
        assert_eq!(ids_of(&e), vec![ids::NO_CORRECTIONS]);
        assert_eq!(score_of(&e), WEAK);
        assert_eq!(
            ids_of(&[mouse(json!({"pause_count": 0}))]),
            Vec::<u32>::new()
        );
        // Never reported: nothing to say.
        let unreported = [(
            EventKind::Mouse,
            json!({"mouse_entropy": 0.7, "pointer_moves": 90, "stroke_count": 9}),
        )];
        assert_eq!(ids_of(&unreported), Vec::<u32>::new());
    }

    #[test]
    fn robotic_keystrokes() {
        let keys = |v: Value| [(EventKind::FirstInput, v)];
        assert_eq!(
            ids_of(&keys(
                json!({"key_events": 12, "key_dwell_mean_ms": 1.0, "key_interval_mean_ms": 90, "key_interval_cv": 0.5})
            )),
            vec![ids::ROBOTIC_KEYSTROKES]
        );
        assert_eq!(
            ids_of(&keys(
                json!({"key_events": 12, "key_dwell_mean_ms": 80, "key_interval_mean_ms": 5, "key_interval_cv": 0.5})
            )),
            vec![ids::ROBOTIC_KEYSTROKES]
        );
        let cv = keys(
            json!({"key_events": 12, "key_dwell_mean_ms": 80, "key_interval_mean_ms": 100, "key_interval_cv": 0.02}),
        );
        assert_eq!(ids_of(&cv), vec![ids::ROBOTIC_KEYSTROKES]);
        assert_eq!(score_of(&cv), 22);
        let human = keys(
            json!({"key_events": 12, "key_dwell_mean_ms": 95, "key_interval_mean_ms": 180, "key_interval_cv": 0.45}),
        );
        assert_eq!(ids_of(&human), Vec::<u32>::new());
        // Deliberate presses at a steady pace (Tab, Ctrl+V, Space, Enter) are no typing rhythm.
        let steady = keys(
            json!({"key_events": 10, "key_dwell_mean_ms": 95, "key_interval_mean_ms": 610, "key_interval_cv": 0.07}),
        );
        assert_eq!(ids_of(&steady), Vec::<u32>::new());
        let fixed_delay = keys(
            json!({"key_events": 10, "key_dwell_mean_ms": 95, "key_interval_mean_ms": 400, "key_interval_cv": 0.07}),
        );
        assert_eq!(ids_of(&fixed_delay), vec![ids::ROBOTIC_KEYSTROKES]);
        // Too few keys.
        assert_eq!(
            ids_of(&keys(json!({"key_events": 3, "key_dwell_mean_ms": 1.0}))),
            Vec::<u32>::new()
        );
        // A person typing on a phone's virtual keyboard: keydown and keyup arrive together
        // (dwell ≈ 0) with a person's rhythm. Not robotic on a touch device, however the page
        // says it is one.
        let phone_typing = json!({"key_events": 24, "key_dwell_mean_ms": 0.4, "key_interval_mean_ms": 210, "key_interval_cv": 0.55});
        for touch in [
            json!({"coarse_pointer": 1, "max_touch_points": 5, "pointer_types": ["touch"]}),
            json!({"max_touch_points": 5}),
            json!({"pointer_types": ["touch"]}),
        ] {
            let events = [
                (EventKind::JsProbe, touch.clone()),
                (EventKind::FirstInput, phone_typing.clone()),
            ];
            assert_eq!(ids_of(&events), Vec::<u32>::new(), "{touch}");
        }
        let events = [
            (EventKind::Mouse, json!({"touch_events": 12})),
            (EventKind::FirstInput, phone_typing.clone()),
        ];
        assert!(!ids_of(&events).contains(&ids::ROBOTIC_KEYSTROKES));
        // On a touch device machine-fast or metronomic inter-key timing still counts.
        let fast = [
            (
                EventKind::JsProbe,
                json!({"coarse_pointer": 1, "max_touch_points": 5}),
            ),
            (
                EventKind::FirstInput,
                json!({"key_events": 24, "key_dwell_mean_ms": 0.4, "key_interval_mean_ms": 6, "key_interval_cv": 0.5}),
            ),
        ];
        assert_eq!(ids_of(&fast), vec![ids::ROBOTIC_KEYSTROKES]);
        // The same zero dwell from a desktop (no touch) stays robotic.
        assert_eq!(ids_of(&keys(phone_typing)), vec![ids::ROBOTIC_KEYSTROKES]);
    }

    #[test]
    fn instant_first_input() {
        let at = |ms: f64| {
            [(
                EventKind::FirstInput,
                json!({"time_to_first_input_ms": ms, "click_events": 1}),
            )]
        };
        assert_eq!(ids_of(&at(40.0)), vec![ids::INSTANT_FIRST_INPUT]);
        assert_eq!(score_of(&at(40.0)), 20);
        assert_eq!(score_of(&at(250.0)), WEAK);
        assert_eq!(ids_of(&at(1800.0)), Vec::<u32>::new());
    }

    #[test]
    fn hidden_interaction() {
        let e = [mouse(json!({"total_ms": 5000, "visible_ms": 0}))];
        assert_eq!(ids_of(&e), vec![ids::HIDDEN_INTERACTION]);
        assert_eq!(
            ids_of(&[mouse(json!({"total_ms": 5000, "visible_ms": 4200}))]),
            Vec::<u32>::new()
        );
        assert_eq!(
            ids_of(&[mouse(json!({"total_ms": 300, "visible_ms": 0}))]),
            Vec::<u32>::new()
        );
    }

    #[test]
    fn implausible_scroll_is_weak() {
        let e = [(
            EventKind::Scroll,
            json!({"scroll_velocity": 90000, "scroll_events": 1}),
        )];
        assert_eq!(ids_of(&e), vec![ids::IMPLAUSIBLE_SCROLL]);
        assert_eq!(score_of(&e), WEAK);
        let human = [(
            EventKind::Scroll,
            json!({"scroll_velocity": 2400, "scroll_events": 12}),
        )];
        assert_eq!(ids_of(&human), Vec::<u32>::new());
    }
}
