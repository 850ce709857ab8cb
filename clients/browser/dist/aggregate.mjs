// Botect browser SDK 1.0.0: aggregation maths (generated from src/aggregate.ts; do not edit)

// src/aggregate.ts
var PAUSE_MS = 300;
var MIN_STEP_PX = 1;
var MIN_ENTROPY_N = 5;
var KEY_PAUSE_MS = 2e3;
var KEY_PAUSE_FACTOR = 3;
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
  return out;
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
  MIN_ENTROPY_N,
  MIN_STEP_PX,
  PAUSE_MS,
  keyFeatures,
  pointerFeatures,
  round
};
