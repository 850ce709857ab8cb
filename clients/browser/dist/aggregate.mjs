// Botect browser SDK 1.0.0: aggregation maths (generated from src/aggregate.ts; do not edit)

// src/aggregate.ts
var PAUSE_MS = 300;
var MIN_STEP_PX = 1;
var MIN_ENTROPY_N = 5;
var KEY_PAUSE_MS = 2e3;
var KEY_PAUSE_FACTOR = 3;
var KIN_MIN_SAMPLES = 6;
var PI = Math.PI;
var round = (x, d) => {
  const f = 10 ** d;
  return Math.round(x * f) / f;
};
var sum = (a) => a.reduce((s, x) => s + x, 0);
function stats(a) {
  const m = sum(a) / a.length;
  const v = sum(a.map((x) => (x - m) ** 2)) / a.length;
  return [m, m > 0 ? Math.sqrt(v) / m : 0];
}
function meanCv(out, key, a) {
  if (!a.length) return;
  const [m, cv] = stats(a);
  out[key + "_mean_ms"] = round(m, 1);
  if (a.length > 1 && m > 0) out[key + "_cv"] = round(cv, 3);
}
function entropy(h, n, bins) {
  let e = 0;
  for (const k in h) {
    const p = h[k] / n;
    e -= p * Math.log(p);
  }
  return Math.min(1, Math.max(0, e / Math.log(bins)));
}
function quantile(a, p) {
  const s = [...a].sort((x, y) => x - y);
  const i = (s.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}
var wrap = (a) => a > PI ? a - 2 * PI : a <= -PI ? a + 2 * PI : a;
var bin = (a, n) => (Math.round(a / (2 * PI / n)) % n + n) % n;
function pointerFeatures(samples) {
  const out = {};
  const s = samples.filter((p) => isFinite(p.x) && isFinite(p.y) && isFinite(p.t)).sort((a, b) => a.t - b.t);
  let tn = 0;
  let tt = 0;
  for (const p of s) {
    if (p.trusted !== void 0) {
      tn++;
      if (p.trusted) tt++;
    }
  }
  if (tn) out.trusted_ratio = round(tt / tn, 3);
  if (!s.length) return out;
  const strokes = [[s[0]]];
  const intervals = [];
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
  const speeds = [];
  const accels = [];
  const turns = {};
  let nTurns = 0;
  const cells = {};
  let nCells = 0;
  for (const st of strokes) {
    const a = st[0];
    const z = st[st.length - 1];
    const chord = Math.hypot(z.x - a.x, z.y - a.y);
    let len = 0;
    let prevDir = null;
    let prevV = null;
    let prevDt = 0;
    for (let i = 1; i < st.length; i++) {
      const dx = st[i].x - st[i - 1].x;
      const dy = st[i].y - st[i - 1].y;
      const dt = st[i].t - st[i - 1].t;
      const d = Math.hypot(dx, dy);
      len += d;
      let v = null;
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
function strokeKinematics(st) {
  if (st.length < KIN_MIN_SAMPLES) return null;
  const v = [];
  const dts = [];
  const steps = [];
  const at = [];
  const turns = [];
  let dir = null;
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
  const meanAbs = (a2) => sum(a2.map(Math.abs)) / a2.length;
  const share = (a2, differ) => {
    let c = 0;
    for (let i = 1; i < a2.length; i++) if (differ(a2[i], a2[i - 1])) c++;
    return c / (a2.length - 1);
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
  const k = {
    accel_rel: meanAbs(acc) * dtm / vm,
    jerk_rel: meanAbs(jerk) * dtm * dtm / vm,
    accel_sign_changes: share(acc, (x, y) => Math.sign(x) !== Math.sign(y)),
    speed_p10_rel: quantile(v, 0.1) / vm,
    speed_p90_rel: quantile(v, 0.9) / vm,
    speed_peak_rel: peak / vm,
    submovements: smooth.filter(
      (x, i) => i && i < n - 1 && x > smooth[i - 1] && x >= smooth[i + 1] && x > 0.1 * peak
    ).length,
    speed_autocorr: den > 0 ? num / den : 0,
    step_cv: stats(steps)[1]
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
    const reached = (part) => {
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
var KIN_DECIMALS = { submovements: 2, fitts_ms_per_bit: 1 };
function kinematics(out, strokes) {
  var _a, _b;
  const acc = {};
  for (const st of strokes) {
    const k = strokeKinematics(st);
    if (!k) continue;
    for (const key in k) if (isFinite(k[key])) ((_a = acc[key]) != null ? _a : acc[key] = []).push(k[key]);
  }
  for (const key in acc) out[key] = round(sum(acc[key]) / acc[key].length, (_b = KIN_DECIMALS[key]) != null ? _b : 3);
}
function median(xs) {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
function keyFeatures(keys) {
  const k = keys.filter((x) => isFinite(x.down)).sort((a, b) => a.down - b.down);
  const out = { key_events: k.length };
  const gaps = [];
  const dwells = [];
  for (let i = 0; i < k.length; i++) {
    if (i) {
      const g = k[i].down - k[i - 1].down;
      if (g >= 0 && g < KEY_PAUSE_MS) gaps.push(g);
    }
    const up = k[i].up;
    if (up !== void 0 && isFinite(up)) {
      const dw = up - k[i].down;
      if (dw >= 0 && dw < 5e3) dwells.push(dw);
    }
  }
  const limit = KEY_PAUSE_FACTOR * median(gaps);
  meanCv(out, "key_interval", gaps.filter((g) => g <= limit));
  meanCv(out, "key_dwell", dwells);
  return out;
}
export {
  KEY_PAUSE_FACTOR,
  KEY_PAUSE_MS,
  KIN_MIN_SAMPLES,
  MIN_ENTROPY_N,
  MIN_STEP_PX,
  PAUSE_MS,
  keyFeatures,
  pointerFeatures,
  round
};
