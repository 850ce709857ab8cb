// The aggregation maths (dist/aggregate.mjs, the module the offline evaluation imports).
import assert from "node:assert/strict";
import { test } from "node:test";
import { keyFeatures, pointerFeatures, PAUSE_MS } from "../dist/aggregate.mjs";

/** A deterministic PRNG (mulberry32). */
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const line = (n = 60, dt = 16, step = 8) =>
  Array.from({ length: n }, (_, i) => ({ x: 100 + i * step, y: 200 + i * step * 0.5, t: 1000 + i * dt, trusted: true }));

/** A jittery arc with irregular timing, like a hand. */
function jitteryCurve(seed = 7, n = 80) {
  const r = rng(seed);
  let t = 0;
  return Array.from({ length: n }, (_, i) => {
    t += 8 + r() * 20;
    const a = (i / n) * Math.PI;
    return { x: 300 + 200 * Math.cos(a) + (r() - 0.5) * 6, y: 300 + 120 * Math.sin(a) + (r() - 0.5) * 6, t, trusted: true };
  });
}

/** Server ranges (server/src/core/ingest.rs): every value finite and ≥ 0 (`speed_autocorr` ≥ −1),
 *  some in 0–1, counts integers. */
const SHARES = [
  "path_straightness", "direction_entropy", "mouse_entropy", "trusted_ratio", "accel_sign_changes",
  "turn_alternation", "distance_50_at", "distance_90_at", "speed_autocorr",
];
function assertValid(f) {
  for (const [k, v] of Object.entries(f)) {
    assert.ok(Number.isFinite(v) && v >= (k === "speed_autocorr" ? -1 : 0), `${k} = ${v}`);
    if (SHARES.includes(k)) assert.ok(v <= 1, `${k} = ${v}`);
    if (["stroke_count", "pause_count", "overshoot_count", "key_events"].includes(k)) assert.ok(Number.isInteger(v), `${k} = ${v}`);
  }
}

test("a straight line at constant speed: straightness 1, zero entropies and curvature", () => {
  const f = pointerFeatures(line());
  assertValid(f);
  assert.equal(f.path_straightness, 1);
  assert.equal(f.direction_entropy, 0);
  assert.equal(f.mouse_entropy, 0);
  assert.equal(f.curvature_mean, 0);
  assert.equal(f.stroke_count, 1);
  assert.equal(f.pause_count, 0);
  assert.equal(f.move_interval_mean_ms, 16);
  assert.equal(f.move_interval_cv, 0);
  assert.equal(f.speed_cv, 0);
  assert.equal(f.speed_mean, Math.round((Math.hypot(8, 4) / 16) * 1000) / 1000);
  assert.equal(f.overshoot_count, 0);
  assert.equal(f.trusted_ratio, 1);
});

test("a jittery curve: less straight, more direction entropy, positive curvature", () => {
  const straight = pointerFeatures(line());
  const f = pointerFeatures(jitteryCurve());
  assertValid(f);
  assert.ok(f.path_straightness < 0.9, `straightness ${f.path_straightness}`);
  assert.ok(f.direction_entropy > straight.direction_entropy + 0.2, `direction entropy ${f.direction_entropy}`);
  assert.ok(f.mouse_entropy > 0.3, `mouse entropy ${f.mouse_entropy}`);
  assert.ok(f.curvature_mean > 0);
  assert.ok(f.move_interval_cv > 0.1);
  assert.ok(f.speed_cv > 0 && f.accel_cv > 0);
});

test("kinematics of a constant-speed line: no acceleration, no sub-movements, no deviation", () => {
  const f = pointerFeatures(line());
  assertValid(f);
  assert.equal(f.accel_rel, 0);
  assert.equal(f.jerk_rel, 0);
  assert.equal(f.speed_p10_rel, 1);
  assert.equal(f.speed_p90_rel, 1);
  assert.equal(f.speed_peak_rel, 1);
  assert.equal(f.submovements, 0);
  assert.equal(f.step_cv, 0);
  assert.equal(f.deviation_max, 0);
  assert.equal(f.turn_alternation, 0);
  assert.ok(Math.abs(f.distance_50_at - 0.5) < 0.02, `distance_50_at ${f.distance_50_at}`);
  // 59 segments of 16 ms over a chord of 59 × 8.94 px: 944 ms / log2(528 / 10 + 1).
  assert.ok(Math.abs(f.fitts_ms_per_bit - 944 / Math.log2(Math.hypot(472, 236) / 10 + 1)) < 0.1);
});

test("kinematics of an aimed movement: one bell-shaped speed profile, then a correction", () => {
  // Minimum-jerk profile (10t³ − 15t⁴ + 6t⁵) over 800 ms, then a small second movement.
  const s = [];
  const mj = (u) => 10 * u ** 3 - 15 * u ** 4 + 6 * u ** 5;
  for (let i = 0; i <= 50; i++) s.push({ x: 100 + 400 * mj(i / 50), y: 300, t: i * 16 });
  for (let i = 1; i <= 15; i++) s.push({ x: 500 + 30 * mj(i / 15), y: 300 + 10 * mj(i / 15), t: 800 + i * 16 });
  const f = pointerFeatures(s);
  assertValid(f);
  assert.equal(f.submovements, 2, "the main movement and the correction");
  assert.ok(f.speed_peak_rel > 1.5, `peak ${f.speed_peak_rel}`);
  assert.ok(f.speed_p10_rel < 0.2, `p10 ${f.speed_p10_rel}`);
  assert.ok(f.speed_autocorr > 0.9, `a smooth profile is autocorrelated: ${f.speed_autocorr}`);
  assert.ok(f.distance_90_at > 0.5 && f.distance_90_at < 0.9, `90 % at ${f.distance_90_at}`);
  // Noise on every other point: speeds alternate, turns alternate, jerk grows.
  const noisy = s.map((p, i) => (i % 2 ? { ...p, x: p.x + 1.5, y: p.y - 1.5 } : p));
  const g = pointerFeatures(noisy);
  assertValid(g);
  assert.ok(g.jerk_rel > 5 * f.jerk_rel, `jerk ${g.jerk_rel} vs ${f.jerk_rel}`);
  assert.ok(g.speed_autocorr < f.speed_autocorr - 0.1, `autocorr ${g.speed_autocorr} vs ${f.speed_autocorr}`);
  assert.ok(g.turn_alternation > 0.8, `turn alternation ${g.turn_alternation}`);
  assert.ok(g.accel_sign_changes > f.accel_sign_changes, "acceleration flips sign more often");
});

test("kinematics need strokes of at least 6 samples", () => {
  const f = pointerFeatures(line(5));
  for (const k of ["accel_rel", "jerk_rel", "submovements", "fitts_ms_per_bit"]) assert.equal(f[k], undefined, k);
});

test("interval statistics: mean and population coefficient of variation", () => {
  const s = [0, 10, 30, 60].map((t, i) => ({ x: i * 10, y: 0, t }));
  const f = pointerFeatures(s);
  assert.equal(f.move_interval_mean_ms, 20);
  // intervals 10, 20, 30: std = sqrt(200/3) = 8.165, cv = 0.408
  assert.equal(f.move_interval_cv, 0.408);
});

test("pauses split strokes and are excluded from the intervals", () => {
  const a = line(20);
  const last = a[a.length - 1];
  const b = line(20).map((p) => ({ ...p, t: p.t - 1000 + last.t + PAUSE_MS + 200 }));
  const f = pointerFeatures([...a, ...b]);
  assert.equal(f.stroke_count, 2);
  assert.equal(f.pause_count, 1);
  assert.equal(f.move_interval_mean_ms, 16);
  assert.equal(f.move_interval_cv, 0);
});

test("trusted ratio: share of samples with isTrusted; absent when unknown", () => {
  const s = line(4).map((p, i) => ({ ...p, trusted: i !== 0 }));
  assert.equal(pointerFeatures(s).trusted_ratio, 0.75);
  const unknown = line(4).map(({ trusted, ...p }) => p);
  assert.equal("trusted_ratio" in pointerFeatures(unknown), false);
});

test("overshoot and correct is counted once per stroke", () => {
  const xs = [0, 30, 60, 90, 115, 125, 118, 108, 100];
  const s = xs.map((x, i) => ({ x, y: 50, t: i * 16 }));
  assert.equal(pointerFeatures(s).overshoot_count, 1);
  assert.equal(pointerFeatures(line()).overshoot_count, 0);
});

test("input order and junk don't matter; too little data omits features", () => {
  const s = jitteryCurve(3);
  const shuffled = [...s].reverse();
  shuffled.push({ x: NaN, y: 1, t: 5 }, { x: 1, y: 1, t: Infinity });
  assert.deepEqual(pointerFeatures(shuffled), pointerFeatures(s));
  assert.deepEqual(pointerFeatures([]), {});
  const one = pointerFeatures([{ x: 1, y: 2, t: 3 }]);
  assert.deepEqual(one, { stroke_count: 1, pause_count: 0, overshoot_count: 0 });
  const few = pointerFeatures(line(4));
  assert.equal("mouse_entropy" in few, false);
  assert.equal("direction_entropy" in few, false);
});

test("many random windows always produce valid values", () => {
  const r = rng(42);
  for (let k = 0; k < 200; k++) {
    let t = r() * 1000;
    const s = Array.from({ length: Math.floor(r() * 120) }, () => ({
      x: r() * 1920,
      y: r() * 1080,
      t: (t += r() < 0.05 ? 400 : r() * 30),
      trusted: r() < 0.9,
    }));
    assertValid(pointerFeatures(s));
  }
});

test("keyboard timing: counts, intervals and dwell, pauses excluded, never key values", () => {
  const f = keyFeatures([
    { down: 0, up: 50 },
    { down: 100, up: 160 },
    { down: 200, up: 270 },
    { down: 400 },
    { down: 5000, up: 5060 },
  ]);
  assert.deepEqual(Object.keys(f).sort(), ["key_dwell_cv", "key_dwell_mean_ms", "key_events", "key_interval_cv", "key_interval_mean_ms"]);
  assert.equal(f.key_events, 5);
  // intervals 100, 100, 200 (the 4.6 s gap is a pause): mean 133.3
  assert.equal(f.key_interval_mean_ms, 133.3);
  assert.equal(f.key_interval_cv, 0.354);
  // dwells 50, 60, 70, 60
  assert.equal(f.key_dwell_mean_ms, 60);
  assert.equal(f.key_dwell_cv, 0.118);
  assertValid(f);
  assert.deepEqual(keyFeatures([]), { key_events: 0 });
  assert.deepEqual(keyFeatures([{ down: 5 }]), { key_events: 1 });
});

test("keyboard timing: a pause between fields does not hide a robot's steady rhythm", () => {
  // Scripted typing every 85 ms, then 700 ms to move to the next field, then every 90 ms.
  const keys = [];
  let t = 0;
  for (let i = 0; i < 14; i++) keys.push({ down: (t += i ? 85 : 0), up: t + 84 });
  t += 700;
  for (let i = 0; i < 14; i++) keys.push({ down: (t += 90), up: t + 88 });
  const f = keyFeatures(keys);
  assert.equal(f.key_events, 28);
  assert.ok(f.key_interval_cv < 0.05, `cv ${f.key_interval_cv}`);
  assert.equal(f.key_interval_mean_ms, 87.5); // 13 × 85 and 13 × 90 (the 790 ms gap excluded)
  // Human typing: a varied rhythm with word pauses keeps a high variation.
  const human = [0, 140, 380, 470, 690, 1290, 1420, 1610, 1700, 1980, 2700, 2830, 3090, 3180];
  const h = keyFeatures(human.map((down) => ({ down, up: down + 95 })));
  assert.ok(h.key_interval_cv > 0.3, `human cv ${h.key_interval_cv}`);
});
