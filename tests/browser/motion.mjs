// Person-like input for the person stand-in (scenarios.mjs): pointer trajectories and typing
// turned into one xdotool script (`xdotool -` reads it from stdin), so that the X server, not a
// DevTools protocol, delivers every event to a plain headed Chromium.
//
// Trajectories: a curved path (quadratic Bézier, the control point off the line by up to ±20 %
// of the distance) traversed with a minimum-jerk speed profile (10τ³ − 15τ⁴ + 6τ⁵, skewed so
// that the peak speed comes a little early), a Fitts's-law duration with a random factor,
// physiological tremor (two 8–12 Hz sinusoids of 0.3–1 px) plus sub-pixel jitter, and for
// longer moves an overshoot past the target with a short corrective submovement. Samples are
// ~60 Hz (16 ms ± 3 ms), every position rounded to a whole pixel.
// Typing: key dwell 60–140 ms, gaps 80–300 ms, longer pauses between words, Shift held for
// capitals and `@`.
import { rng as seeded } from "../../bench/eval/js/rng.mjs";

/** A seeded PRNG (the evaluation's mulberry32), so that a run can be repeated from its printed
 *  seed: a function returning [0, 1), with `between`, `int` and `gauss`. */
export function rng(seed) {
  const r = seeded(seed);
  const next = () => r.next();
  next.between = r.uniform;
  next.int = r.int;
  next.gauss = r.normal;
  return next;
}

/** Minimum-jerk position (0→1) at τ, with τ warped so that the peak speed comes early. */
function minJerk(tau, skew) {
  const u = tau ** skew;
  return 10 * u ** 3 - 15 * u ** 4 + 6 * u ** 5;
}

/**
 * One aimed movement from `a` to `b` ([x, y] in screen pixels): a list of [x, y, dtMs] steps
 * (dt = the wait before that position). `width` is the target's size for Fitts's law.
 */
function submovement(r, a, b, { width = 40, durationScale = 1 } = {}) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const dist = Math.hypot(dx, dy);
  if (dist < 1) return [];
  // Fitts: a + b·log2(D/W + 1), a ≈ 120–220 ms, b ≈ 120–180 ms/bit.
  const ms = (r.between(120, 220) + r.between(120, 180) * Math.log2(dist / width + 1)) * durationScale * r.between(0.85, 1.25);
  const nx = -dy / dist;
  const ny = dx / dist;
  const bow = r.between(-0.2, 0.2) * dist;
  const cx = a[0] + dx * r.between(0.35, 0.65) + nx * bow;
  const cy = a[1] + dy * r.between(0.35, 0.65) + ny * bow;
  const skew = r.between(0.75, 0.95);
  const tremor = [0, 1].map(() => ({ hz: r.between(8, 12), amp: r.between(0.3, 1.0), px: r.between(0, 6.3), py: r.between(0, 6.3) }));
  const steps = [];
  let t = 0;
  let last = [Math.round(a[0]), Math.round(a[1])];
  while (t < ms) {
    const dt = Math.max(8, Math.round(16 + r.gauss() * 3));
    t = Math.min(ms, t + dt);
    const s = minJerk(t / ms, skew);
    const q = 1 - s;
    let x = q * q * a[0] + 2 * q * s * cx + s * s * b[0];
    let y = q * q * a[1] + 2 * q * s * cy + s * s * b[1];
    // Tremor fades in the last 10 % so that the movement lands where it aimed.
    const fade = t / ms > 0.9 ? (1 - t / ms) * 10 : 1;
    for (const w of tremor) {
      x += fade * w.amp * Math.sin((2 * Math.PI * w.hz * t) / 1000 + w.px);
      y += fade * w.amp * Math.sin((2 * Math.PI * w.hz * t) / 1000 + w.py);
    }
    x += fade * r.gauss() * 0.35;
    y += fade * r.gauss() * 0.35;
    const p = [Math.round(x), Math.round(y)];
    if (p[0] === last[0] && p[1] === last[1]) {
      // No event for an unchanged position: only the wait (moveLines carries it over).
      steps.push([p[0], p[1], dt, true]);
      continue;
    }
    steps.push([p[0], p[1], dt]);
    last = p;
  }
  // Land exactly on b.
  const end = [Math.round(b[0]), Math.round(b[1])];
  if (end[0] !== last[0] || end[1] !== last[1]) steps.push([end[0], end[1], Math.round(r.between(14, 20))]);
  return steps;
}

/** A whole move from `a` to `b`: aimed submovement, then (often, for long moves) the overshoot's correction. */
export function trajectory(r, a, b, { width = 40 } = {}) {
  const dist = Math.hypot(b[0] - a[0], b[1] - a[1]);
  if (dist > 150 && r() < 0.6) {
    // Overshoot by 3–8 % of the distance (and a little sideways), then correct.
    const ux = (b[0] - a[0]) / dist;
    const uy = (b[1] - a[1]) / dist;
    const over = dist * r.between(0.03, 0.08);
    const side = r.between(-0.03, 0.03) * dist;
    const o = [b[0] + ux * over - uy * side, b[1] + uy * over + ux * side];
    const first = submovement(r, a, o, { width });
    // A short hesitation (under the SDK's 300 ms stroke gap), then the correction.
    const hold = Math.round(r.between(60, 200));
    const second = submovement(r, o, b, { width, durationScale: 0.8 });
    if (second.length) second[0][2] += hold;
    return [...first, ...second];
  }
  return submovement(r, a, b, { width });
}

/** xdotool script lines for a trajectory (unchanged positions only wait). */
export function moveLines(steps) {
  const lines = [];
  let wait = 0;
  for (const [x, y, dt, same] of steps) {
    wait += dt;
    if (same) continue;
    lines.push(`sleep ${(wait / 1000).toFixed(3)}`, `mousemove ${x} ${y}`);
    wait = 0;
  }
  return lines;
}

/** A click: press, hold 70–140 ms, release. */
export function clickLines(r) {
  return [`sleep ${r.between(0.06, 0.18).toFixed(3)}`, "mousedown 1", `sleep ${r.between(0.07, 0.14).toFixed(3)}`, "mouseup 1"];
}

const KEYSYMS = { "@": "at", ".": "period", " ": "space", "-": "minus", ",": "comma", "!": "exclam" };
const SHIFTED = new Set(["@", "!"]);

/** Typing `text`: per key a keydown, a 60–140 ms dwell and a keyup, gaps of 80–300 ms, word pauses. */
export function typeLines(r, text) {
  const lines = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const shift = SHIFTED.has(c) || (c >= "A" && c <= "Z");
    const sym = KEYSYMS[c] ?? (c >= "A" && c <= "Z" ? c.toLowerCase() : c);
    let gap = r.between(0.08, 0.3);
    if (i > 0 && (text[i - 1] === " " || c === "@" || c === ".")) gap += r.between(0.15, 0.5);
    lines.push(`sleep ${gap.toFixed(3)}`);
    if (shift) lines.push("keydown Shift_L", `sleep ${r.between(0.04, 0.09).toFixed(3)}`);
    lines.push(`keydown ${sym}`, `sleep ${r.between(0.06, 0.14).toFixed(3)}`, `keyup ${sym}`);
    if (shift) lines.push(`sleep ${r.between(0.02, 0.06).toFixed(3)}`, "keyup Shift_L");
  }
  return lines;
}

/** Wheel ticks (button 5 down, 4 up) at 90–220 ms, like a finger rolling the wheel. */
export function wheelLines(r, ticks, down = true) {
  const lines = [];
  for (let i = 0; i < ticks; i++) lines.push(`sleep ${r.between(0.09, 0.22).toFixed(3)}`, `click ${down ? 5 : 4}`);
  return lines;
}

/** A pause of `lo`–`hi` seconds. */
export const pauseLines = (r, lo, hi) => [`sleep ${r.between(lo, hi).toFixed(3)}`];
