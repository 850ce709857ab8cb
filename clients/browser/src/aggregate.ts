/**
 * Botect SDK: pure aggregation maths (no DOM, no globals, deterministic).
 *
 * The browser SDK turns the pointer and keyboard events of one batch window (about 3 s) into
 * the numbers below; the offline evaluation imports the same code (`dist/aggregate.mjs`) to
 * turn recorded trajectories into exactly the features a browser would send. Every feature is
 * documented in docs/ingest.md ("Botect additions").
 *
 * ## `pointerFeatures(samples)`
 * Input: the pointer positions of ONE window, one entry per `pointermove` (or `mousemove`)
 * event, in any order (they are sorted by `t`; entries with a non-finite x, y or t are
 * ignored):
 *   - `x`, `y`: position in CSS pixels (the SDK uses `clientX`/`clientY`; only differences
 *     are used, never sent),
 *   - `t`: time in milliseconds (the SDK uses `event.timeStamp`; only differences are used),
 *   - `trusted` (optional): `event.isTrusted`.
 * Output: an object with these keys (a key is omitted when there is too little data for it;
 * every value is a finite number ≥ 0, rounded as noted):
 *   - `stroke_count`: strokes; a new stroke starts after a gap of ≥ PAUSE_MS (300 ms)
 *     between consecutive samples. Integer.
 *   - `pause_count`: such gaps (= stroke_count − 1). Integer.
 *   - `move_interval_mean_ms`, `move_interval_cv`: mean (0.1 ms) and coefficient of
 *     variation (std / mean, 0.001) of the time between consecutive samples inside strokes.
 *     Mean needs ≥ 1 interval, cv ≥ 2 and a mean > 0.
 *   - `path_straightness` (0–1, 0.001): Σ chord / Σ path length over strokes, chord =
 *     distance from a stroke's first to its last sample. 1 = perfectly straight.
 *   - `speed_mean` (px/ms, 0.001), `speed_cv` (0.001): segment speeds (distance / Δt between
 *     consecutive samples with Δt > 0). cv needs ≥ 2 speeds and a mean > 0.
 *   - `accel_cv` (0.001): cv of |Δspeed| / (mean Δt of the two segments) over consecutive
 *     timed segments. Needs ≥ 2 values and a mean > 0.
 *   - `curvature_mean` (rad/px, 0.0001): total absolute turning angle between consecutive
 *     moving segments (length ≥ MIN_STEP_PX) divided by the length of those segments.
 *   - `direction_entropy` (0–1, 0.001): normalized Shannon entropy of the turning angles
 *     (direction changes) between consecutive moving segments, in 12 bins of 30° centred on
 *     0° (so a straight line is 0). Needs ≥ MIN_ENTROPY_N turns.
 *   - `mouse_entropy` (0–1, 0.001): normalized Shannon entropy (H / ln 32) of the joint
 *     histogram of movement direction (8 bins of 45° centred on the axes) × speed (4 bins:
 *     < 0.3, < 1, < 3, ≥ 3 px/ms) over moving timed segments. Needs ≥ MIN_ENTROPY_N segments.
 *   - `overshoot_count`: strokes with a chord ≥ 20 px whose path goes past the stroke's end
 *     point, along the start→end direction, by more than max(3 px, 2 % of the chord), i.e.
 *     overshoot and correct. Integer.
 *   - `trusted_ratio` (0–1, 0.001): share of samples with `trusted === true` among samples
 *     that carry `trusted`; omitted when none does.
 *   Kinematics: computed per stroke of at least KIN_MIN_SAMPLES samples (with ≥ 5 timed
 *   segments and some movement) and averaged over such strokes; omitted without one. Speeds
 *   are segment speeds v = distance / Δt, accelerations a = Δv / (mean Δt of the two
 *   segments), jerks j = Δa / Δt; "rel" values are divided by the stroke's mean speed (and
 *   multiplied by its mean Δt, or its square for jerk) so they carry no unit. 0.001 unless
 *   noted:
 *   - `accel_rel`, `jerk_rel`: mean |a| · Δt̄ / v̄ and mean |j| · Δt̄² / v̄.
 *   - `accel_sign_changes` (0–1): share of consecutive accelerations whose sign differs.
 *   - `speed_p10_rel`, `speed_p90_rel`: 10th / 90th percentile speed / v̄.
 *   - `speed_peak_rel`: peak of the 3-point smoothed speed / v̄.
 *   - `speed_autocorr` (−1…1): lag-1 autocorrelation of the segment speeds.
 *   - `step_cv`: cv of the segment lengths.
 *   - `submovements`: local maxima of the smoothed speed above 10 % of its peak (sub-movements
 *     of one aimed movement). 0.01.
 *   - `turn_alternation` (0–1): share of consecutive turning angles (between moving segments)
 *     of opposite sign; `turn_p90` (rad): 90th percentile of |turning angle|. Need ≥ 4 turns.
 *   - Strokes with a chord > 5 px: `deviation_max`, the largest distance from the chord / the
 *     chord; `distance_50_at`, `distance_90_at` (0–1), the share of the stroke's time at which
 *     half and 90 % of its path length are covered; `fitts_ms_per_bit` (0.1), the stroke's
 *     duration / log2(chord / 10 px + 1), Fitts's index of difficulty for a 10 px target.
 * The browser adds the window's counters (`mouse_moves`, `pointer_moves`, `click_events`,
 * `touch_events`, `pointer_types`) itself; they are not computed here.
 *
 * ## `keyFeatures(keys)`
 * Input: the keystrokes of ONE window, one entry per key press (auto-repeat excluded):
 * `down` = keydown time (ms), `up` = keyup time (ms) when released. No key identity.
 * Output: `key_events` (count) and, when there is data, `key_interval_mean_ms` /
 * `key_interval_cv` (time between consecutive key presses; gaps ≥ KEY_PAUSE_MS, and gaps
 * longer than KEY_PAUSE_FACTOR × the median of the remaining ones, are pauses and excluded)
 * and `key_dwell_mean_ms` / `key_dwell_cv` (up − down, 0 ≤ dwell < 5 s). Means 0.1 ms,
 * cvs 0.001; a mean needs ≥ 1 value, a cv ≥ 2 values and a mean > 0.
 */

export interface PointerSample {
  x: number;
  y: number;
  t: number;
  trusted?: boolean;
}

export interface KeyStroke {
  down: number;
  up?: number;
}

/** A gap of at least this many ms between samples ends a stroke (and counts as a pause). */
export const PAUSE_MS = 300;
/** Segments shorter than this (px) carry no direction. */
export const MIN_STEP_PX = 1;
/** Entropy features need at least this many values. */
export const MIN_ENTROPY_N = 5;
/** Gaps between key presses of at least this many ms are pauses, not rhythm. */
export const KEY_PAUSE_MS = 2000;
/** So are gaps longer than this many times the window's median gap (moving to another field,
 *  a pause between words): one such gap in a window would otherwise dominate the cv. */
export const KEY_PAUSE_FACTOR = 3;
/** Strokes with fewer samples carry no kinematics. */
export const KIN_MIN_SAMPLES = 6;

const PI = Math.PI;

/** Rounds to `d` decimals. */
export const round = (x: number, d: number): number => {
  const f = 10 ** d;
  return Math.round(x * f) / f;
};

const sum = (a: number[]): number => a.reduce((s, x) => s + x, 0);

/** Mean and coefficient of variation (population std / mean). */
function stats(a: number[]): [number, number] {
  const m = sum(a) / a.length;
  const v = sum(a.map((x) => (x - m) ** 2)) / a.length;
  return [m, m > 0 ? Math.sqrt(v) / m : 0];
}

/** Puts `<key>_mean_ms` / `<key>_cv` for `a` into `out`. */
function meanCv(out: Record<string, number>, key: string, a: number[]): void {
  if (!a.length) return;
  const [m, cv] = stats(a);
  out[key + "_mean_ms"] = round(m, 1);
  if (a.length > 1 && m > 0) out[key + "_cv"] = round(cv, 3);
}

/** Normalized Shannon entropy of the counts in `h` over `bins` possible bins. */
function entropy(h: Record<number, number>, n: number, bins: number): number {
  let e = 0;
  for (const k in h) {
    const p = h[k] / n;
    e -= p * Math.log(p);
  }
  return Math.min(1, Math.max(0, e / Math.log(bins)));
}

/** The `p` quantile of `a` (linear interpolation; `a` non-empty). */
function quantile(a: number[], p: number): number {
  const s = [...a].sort((x, y) => x - y);
  const i = (s.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}

/** Angle wrapped to (-π, π]. */
const wrap = (a: number): number => (a > PI ? a - 2 * PI : a <= -PI ? a + 2 * PI : a);

/** Histogram bin of `a` (radians) in `n` bins centred on 0. */
const bin = (a: number, n: number): number =>
  (((Math.round(a / ((2 * PI) / n)) % n) + n) % n);

export function pointerFeatures(samples: PointerSample[]): Record<string, number> {
  const out: Record<string, number> = {};
  const s = samples
    .filter((p) => isFinite(p.x) && isFinite(p.y) && isFinite(p.t))
    .sort((a, b) => a.t - b.t);
  let tn = 0;
  let tt = 0;
  for (const p of s) {
    if (p.trusted !== undefined) {
      tn++;
      if (p.trusted) tt++;
    }
  }
  if (tn) out.trusted_ratio = round(tt / tn, 3);
  if (!s.length) return out;

  // Strokes.
  const strokes: PointerSample[][] = [[s[0]]];
  const intervals: number[] = [];
  for (let i = 1; i < s.length; i++) {
    const dt = s[i].t - s[i - 1].t;
    if (dt >= PAUSE_MS) strokes.push([s[i]]);
    else {
      intervals.push(dt);
      strokes[strokes.length - 1].push(s[i]);
    }
  }
  out.stroke_count = strokes.length;
  out.pause_count = strokes.length - 1;
  meanCv(out, "move_interval", intervals);

  let chords = 0;
  let length = 0;
  let turnTotal = 0;
  let turnLen = 0;
  let overshoots = 0;
  const speeds: number[] = [];
  const accels: number[] = [];
  const turns: Record<number, number> = {};
  let nTurns = 0;
  const cells: Record<number, number> = {};
  let nCells = 0;

  for (const st of strokes) {
    const a = st[0];
    const z = st[st.length - 1];
    const chord = Math.hypot(z.x - a.x, z.y - a.y);
    let len = 0;
    let prevDir: number | null = null;
    let prevV: number | null = null;
    let prevDt = 0;
    for (let i = 1; i < st.length; i++) {
      const dx = st[i].x - st[i - 1].x;
      const dy = st[i].y - st[i - 1].y;
      const dt = st[i].t - st[i - 1].t;
      const d = Math.hypot(dx, dy);
      len += d;
      let v: number | null = null;
      if (dt > 0) {
        v = d / dt;
        speeds.push(v);
        if (prevV !== null) accels.push(Math.abs(v - prevV) / ((dt + prevDt) / 2));
      }
      prevV = v;
      prevDt = dt;
      if (d >= MIN_STEP_PX) {
        const dir = Math.atan2(dy, dx);
        if (v !== null) {
          const sb = v < 0.3 ? 0 : v < 1 ? 1 : v < 3 ? 2 : 3;
          const c = bin(dir, 8) * 4 + sb;
          cells[c] = (cells[c] || 0) + 1;
          nCells++;
        }
        if (prevDir !== null) {
          const turn = wrap(dir - prevDir);
          turnTotal += Math.abs(turn);
          turnLen += d;
          const b = bin(turn, 12);
          turns[b] = (turns[b] || 0) + 1;
          nTurns++;
        }
        prevDir = dir;
      }
    }
    if (len > 0) {
      chords += chord;
      length += len;
    }
    if (chord >= 20) {
      const ux = (z.x - a.x) / chord;
      const uy = (z.y - a.y) / chord;
      let maxProj = 0;
      for (const p of st) maxProj = Math.max(maxProj, (p.x - a.x) * ux + (p.y - a.y) * uy);
      if (maxProj > chord + Math.max(3, 0.02 * chord)) overshoots++;
    }
  }

  if (length > 0) out.path_straightness = round(Math.min(1, chords / length), 3);
  if (speeds.length) {
    const [m, cv] = stats(speeds);
    out.speed_mean = round(m, 3);
    if (speeds.length > 1 && m > 0) out.speed_cv = round(cv, 3);
  }
  if (accels.length > 1) {
    const [m, cv] = stats(accels);
    if (m > 0) out.accel_cv = round(cv, 3);
  }
  if (turnLen > 0) out.curvature_mean = round(turnTotal / turnLen, 4);
  if (nTurns >= MIN_ENTROPY_N) out.direction_entropy = round(entropy(turns, nTurns, 12), 3);
  if (nCells >= MIN_ENTROPY_N) out.mouse_entropy = round(entropy(cells, nCells, 32), 3);
  out.overshoot_count = overshoots;
  kinematics(out, strokes);
  return out;
}

/** The kinematics of one stroke (see the module comment), or null when it has too little. */
function strokeKinematics(st: PointerSample[]): Record<string, number> | null {
  if (st.length < KIN_MIN_SAMPLES) return null;
  const v: number[] = [];
  const dts: number[] = [];
  const steps: number[] = [];
  const at: number[] = [];
  const turns: number[] = [];
  let dir: number | null = null;
  for (let i = 1; i < st.length; i++) {
    const dx = st[i].x - st[i - 1].x;
    const dy = st[i].y - st[i - 1].y;
    const dt = st[i].t - st[i - 1].t;
    if (dt <= 0) continue;
    const d = Math.hypot(dx, dy);
    v.push(d / dt);
    dts.push(dt);
    steps.push(d);
    at.push(st[i].t - st[0].t);
    if (d >= MIN_STEP_PX) {
      const next = Math.atan2(dy, dx);
      if (dir !== null) turns.push(wrap(next - dir));
      dir = next;
    }
  }
  const n = v.length;
  const [vm] = n < 5 ? [0] : stats(v);
  if (!(vm > 0)) return null;
  const dtm = sum(dts) / n;
  const meanAbs = (a: number[]): number => sum(a.map(Math.abs)) / a.length;
  /** Share of consecutive pairs of `a` for which `differ` holds. */
  const share = (a: number[], differ: (x: number, y: number) => boolean): number => {
    let c = 0;
    for (let i = 1; i < a.length; i++) if (differ(a[i], a[i - 1])) c++;
    return c / (a.length - 1);
  };
  const acc = v.slice(1).map((x, i) => (x - v[i]) / ((dts[i + 1] + dts[i]) / 2));
  const jerk = acc.slice(1).map((x, i) => (x - acc[i]) / dts[i + 2]);
  const smooth = v.map((_, i) => {
    const w = v.slice(Math.max(0, i - 1), i + 2);
    return sum(w) / w.length;
  });
  const peak = Math.max(...smooth);
  let num = 0;
  let den = 0;
  v.forEach((x, i) => {
    den += (x - vm) ** 2;
    if (i) num += (x - vm) * (v[i - 1] - vm);
  });
  const k: Record<string, number> = {
    accel_rel: (meanAbs(acc) * dtm) / vm,
    jerk_rel: (meanAbs(jerk) * dtm * dtm) / vm,
    accel_sign_changes: share(acc, (x, y) => Math.sign(x) !== Math.sign(y)),
    speed_p10_rel: quantile(v, 0.1) / vm,
    speed_p90_rel: quantile(v, 0.9) / vm,
    speed_peak_rel: peak / vm,
    submovements: smooth.filter(
      (x, i) => i && i < n - 1 && x > smooth[i - 1] && x >= smooth[i + 1] && x > 0.1 * peak,
    ).length,
    speed_autocorr: den > 0 ? num / den : 0,
    step_cv: stats(steps)[1],
  };
  if (turns.length >= 4) {
    k.turn_alternation = share(turns, (x, y) => x * y < 0);
    k.turn_p90 = quantile(turns.map(Math.abs), 0.9);
  }
  const a = st[0];
  const z = st[st.length - 1];
  const chord = Math.hypot(z.x - a.x, z.y - a.y);
  const duration = z.t - a.t;
  if (chord > 5) {
    const ux = (z.x - a.x) / chord;
    const uy = (z.y - a.y) / chord;
    k.deviation_max = Math.max(...st.map((p) => Math.abs((p.x - a.x) * uy - (p.y - a.y) * ux))) / chord;
    const length = sum(steps);
    const reached = (part: number): number => {
      let covered = 0;
      const i = steps.findIndex((d) => (covered += d) >= part * length);
      return i < 0 ? 1 : at[i] / duration;
    };
    k.distance_50_at = reached(0.5);
    k.distance_90_at = reached(0.9);
    k.fitts_ms_per_bit = duration / Math.log2(chord / 10 + 1);
  }
  return k;
}

/** Decimals of each kinematic key (3 unless listed). */
const KIN_DECIMALS: Record<string, number> = { submovements: 2, fitts_ms_per_bit: 1 };

/** Puts the kinematics averaged over the window's strokes into `out`. */
function kinematics(out: Record<string, number>, strokes: PointerSample[][]): void {
  const acc: Record<string, number[]> = {};
  for (const st of strokes) {
    const k = strokeKinematics(st);
    if (!k) continue;
    for (const key in k) if (isFinite(k[key])) (acc[key] ??= []).push(k[key]);
  }
  for (const key in acc) out[key] = round(sum(acc[key]) / acc[key].length, KIN_DECIMALS[key] ?? 3);
}

/** The median (0 for none). */
function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function keyFeatures(keys: KeyStroke[]): Record<string, number> {
  const k = keys.filter((x) => isFinite(x.down)).sort((a, b) => a.down - b.down);
  const out: Record<string, number> = { key_events: k.length };
  const gaps: number[] = [];
  const dwells: number[] = [];
  for (let i = 0; i < k.length; i++) {
    if (i) {
      const g = k[i].down - k[i - 1].down;
      if (g >= 0 && g < KEY_PAUSE_MS) gaps.push(g);
    }
    const up = k[i].up;
    if (up !== undefined && isFinite(up)) {
      const dw = up - k[i].down;
      if (dw >= 0 && dw < 5000) dwells.push(dw);
    }
  }
  const limit = KEY_PAUSE_FACTOR * median(gaps);
  meanCv(out, "key_interval", gaps.filter((g) => g <= limit));
  meanCv(out, "key_dwell", dwells);
  return out;
}
