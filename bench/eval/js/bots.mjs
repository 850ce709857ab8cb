// Bot pointer trajectories. Each generator draws a continuous path (points with times) between
// the start and end points of a human trajectory; `resample` then observes it through the
// human's own frame clock (its sampling intervals, jitter included) and rounds to whole pixels,
// as a browser delivers pointermove. So neither sampling rate nor jitter can tell a bot from a
// person: only the shape and the speed profile of the movement can.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

const dist = (a, b) => Math.hypot(b[0] - a[0], b[1] - a[1]);
const lerp = (a, b, u) => [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u];

function cubic(p0, p1, p2, p3, u) {
  const v = 1 - u;
  return [
    v * v * v * p0[0] + 3 * v * v * u * p1[0] + 3 * v * u * u * p2[0] + u * u * u * p3[0],
    v * v * v * p0[1] + 3 * v * v * u * p1[1] + 3 * v * u * u * p2[1] + u * u * u * p3[1],
  ];
}

const EASINGS = {
  easeInOutQuad: (u) => (u < 0.5 ? 2 * u * u : 1 - (-2 * u + 2) ** 2 / 2),
  easeInOutCubic: (u) => (u < 0.5 ? 4 * u * u * u : 1 - (-2 * u + 2) ** 3 / 2),
  easeInOutSine: (u) => -(Math.cos(Math.PI * u) - 1) / 2,
  easeOutQuad: (u) => 1 - (1 - u) * (1 - u),
  easeOutQuint: (u) => 1 - (1 - u) ** 5,
};

/** A path evaluated at n+1 evenly spaced parameters over `durationMs`. */
function timed(n, durationMs, at) {
  const out = [];
  for (let i = 0; i <= n; i++) {
    const u = i / n;
    const [x, y] = at(u);
    out.push({ x, y, t: u * durationMs });
  }
  return out;
}

/** Fitts's law movement time (Shannon form), ms. */
export function fittsMs(r, distance, width = 30) {
  const a = r.uniform(50, 150);
  const b = r.uniform(100, 200);
  return a + b * Math.log2(distance / width + 1);
}

// ---- generators: (r, start, end, durationMs) → [{x, y, t}] (continuous, piecewise linear) ----

/** Straight line at constant speed (puppeteer's `mouse.move(x, y, {steps})`, slowed down). */
function linear(r, s, e, T) {
  return timed(200, T, (u) => lerp(s, e, u));
}

/** Straight line with a random easing curve (tweening libraries, pyautogui's `tween`). */
function linearEased(r, s, e, T) {
  const ease = EASINGS[r.pick(Object.keys(EASINGS))];
  return timed(200, T, (u) => lerp(s, e, ease(u)));
}

/** Cubic Bézier with random control points, parameter advanced uniformly in time. */
function bezier(r, s, e, T) {
  const d = dist(s, e);
  const nx = -(e[1] - s[1]) / (d || 1);
  const ny = (e[0] - s[0]) / (d || 1);
  const ctrl = () => {
    const along = lerp(s, e, r.uniform(0.1, 0.9));
    const off = r.uniform(-0.5, 0.5) * d;
    return [along[0] + nx * off, along[1] + ny * off];
  };
  const c1 = ctrl();
  const c2 = ctrl();
  return timed(200, T, (u) => cubic(s, c1, c2, e, u));
}

/** A "humanizer" curve (pyclick / HumanCursor style): Bézier through random knots, eased,
 *  with Gaussian distortion of every point. */
function humanCurve(r, s, e, T) {
  const d = dist(s, e);
  const base = bezier(r, s, e, T);
  const ease = EASINGS[r.pick(["easeOutQuad", "easeInOutQuad", "easeOutQuint"])];
  const n = Math.max(20, Math.min(120, Math.round(d / 8)));
  const out = [];
  for (let i = 0; i <= n; i++) {
    const u = ease(i / n);
    const k = Math.min(base.length - 2, Math.floor(u * (base.length - 1)));
    const f = u * (base.length - 1) - k;
    let x = base[k].x + (base[k + 1].x - base[k].x) * f;
    let y = base[k].y + (base[k + 1].y - base[k].y) * f;
    if (i > 0 && i < n && r.next() < 0.5) {
      x += r.normal() * 1.0;
      y += r.normal() * 1.0;
    }
    out.push({ x, y, t: (i / n) * T });
  }
  return out;
}

/** WindMouse (B. J. Land): gravity towards the target plus a random "wind"; each step waits in
 *  proportion to its length, as the SRL implementation does. The timeline is then scaled to
 *  the movement time. */
function windMouse(r, s, e, T) {
  const G0 = r.uniform(7, 11);
  const W0 = r.uniform(2, 5);
  let M0 = r.uniform(10, 20);
  const D0 = r.uniform(8, 14);
  const sqrt3 = Math.sqrt(3);
  const sqrt5 = Math.sqrt(5);
  let x = s[0], y = s[1];
  let vx = 0, vy = 0, wx = 0, wy = 0;
  let t = 0;
  const pts = [{ x, y, t }];
  for (let guard = 0; guard < 5000; guard++) {
    const d = Math.hypot(e[0] - x, e[1] - y);
    if (d < 1) break;
    const wMag = Math.min(W0, d);
    if (d >= D0) {
      wx = wx / sqrt3 + ((2 * r.next() - 1) * wMag) / sqrt5;
      wy = wy / sqrt3 + ((2 * r.next() - 1) * wMag) / sqrt5;
    } else {
      wx /= sqrt3;
      wy /= sqrt3;
      if (M0 < 3) M0 = r.next() * 3 + 3;
      else M0 /= sqrt5;
    }
    vx += wx + (G0 * (e[0] - x)) / d;
    vy += wy + (G0 * (e[1] - y)) / d;
    const vMag = Math.hypot(vx, vy);
    if (vMag > M0) {
      const clip = M0 / 2 + (r.next() * M0) / 2;
      vx = (vx / vMag) * clip;
      vy = (vy / vMag) * clip;
    }
    x += vx;
    y += vy;
    const step = Math.hypot(vx, vy);
    t += 5 + 5 * Math.min(1, step / M0); // wait = minWait + (maxWait - minWait) * step / maxStep
    pts.push({ x, y, t });
  }
  pts.push({ x: e[0], y: e[1], t: t + 5 });
  const scale = T / pts[pts.length - 1].t;
  return pts.map((p) => ({ x: p.x, y: p.y, t: p.t * scale }));
}

let ghost = null;
function ghostPath() {
  if (!ghost) ghost = require("ghost-cursor").path;
  return ghost;
}

/** ghost-cursor's own `path()` (Bézier with Fitts's-law step count); time per step uniform
 *  over a Fitts's-law movement time; beyond 500 px it overshoots (radius 120 px) and corrects
 *  with a tight curve (spread 10), exactly as `GhostCursor.move` does. */
function ghostCursor(r, s, e) {
  const path = ghostPath();
  const legs = [];
  if (dist(s, e) > 500) {
    const a = r.next() * 2 * Math.PI;
    const rad = 120 * Math.sqrt(r.next());
    const over = [e[0] + rad * Math.cos(a), e[1] + rad * Math.sin(a)];
    legs.push([s, over, undefined], [over, e, 10]);
  } else {
    legs.push([s, e, undefined]);
  }
  const out = [];
  let t0 = 0;
  for (const [from, to, spread] of legs) {
    const pts = path({ x: from[0], y: from[1] }, { x: to[0], y: to[1] }, spread === undefined ? {} : { spreadOverride: spread });
    const T = fittsMs(r, dist(from, to));
    pts.forEach((p, i) => {
      if (out.length && i === 0) return;
      out.push({ x: p.x, y: p.y, t: t0 + (i / (pts.length - 1)) * T });
    });
    t0 += T;
  }
  return out;
}

/** ghost-cursor's `path(…, {useTimestamps: true})`: its own per-step timestamps. */
function ghostCursorTimestamps(r, s, e) {
  const pts = ghostPath()({ x: s[0], y: s[1] }, { x: e[0], y: e[1] }, { useTimestamps: true });
  const t0 = pts[0].timestamp;
  return pts.map((p) => ({ x: p.x, y: p.y, t: p.timestamp - t0 }));
}

export const GENERATORS = {
  linear: { fn: linear, about: "straight line, constant speed" },
  linear_eased: { fn: linearEased, about: "straight line, random easing (quad/cubic/sine/quint)" },
  bezier: { fn: bezier, about: "cubic Bézier, random control points, uniform parameter speed" },
  human_curve: { fn: humanCurve, about: "Bézier + easing + Gaussian point noise (pyclick/HumanCursor style)" },
  windmouse: { fn: windMouse, about: "WindMouse: gravity + wind, step waits ∝ step length" },
  ghost_cursor: { fn: ghostCursor, about: "ghost-cursor path() + Fitts's-law time + overshoot > 500 px" },
  ghost_cursor_ts: { fn: ghostCursorTimestamps, about: "ghost-cursor path() with its own useTimestamps timing" },
};

/** Observes a continuous path at the donor's frame intervals; whole pixels; like a browser,
 *  no event when the rounded position did not change. */
export function resample(r, path, intervals) {
  const T = path[path.length - 1].t;
  const at = (t) => {
    if (t >= T) return [path[path.length - 1].x, path[path.length - 1].y];
    let lo = 0, hi = path.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (path[mid].t <= t) lo = mid;
      else hi = mid;
    }
    const a = path[lo], b = path[hi];
    const f = b.t > a.t ? (t - a.t) / (b.t - a.t) : 1;
    return [a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f];
  };
  const out = [];
  let t = 0;
  for (;;) {
    const [x, y] = at(t).map(Math.round);
    const last = out[out.length - 1];
    if (!last || last.x !== x || last.y !== y) out.push({ x, y, t: Math.round(t * 1000) / 1000 });
    if (t >= T) break;
    t += r.pick(intervals);
  }
  return out;
}
