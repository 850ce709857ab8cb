// Human pointer trajectories shipped by package registries (fetched by run.sh, never committed).
//  - cursory 2.1.0 (PyPI, LGPL-3.0-or-later): cursory/trajectories.json.gz, a list of
//    {start, end, points: [[x, y]...], timing: [ms...], dx, dy, length}; `timing` is the
//    absolute time of each point in ms since the trajectory's first point (timing[0] = 0).
//    Intervals are browser-like: ~60 % at 16–17 ms (60 Hz frames), ~25 % at 7–8 ms (144 Hz).
//  - smart-mouse 1.0.5 (PyPI, MIT): smart_mouse/mousedata.json, 88 recordings as per-step
//    offsets [dx...], [dy...], [dt ms...] captured from the OS at 1–4 ms; we coalesce them to
//    60 Hz display frames the way a browser delivers pointermove.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

/** @returns {{start:number[], end:number[], samples:{x:number,y:number,t:number}[]}[]} */
export function loadCursory(path) {
  const raw = JSON.parse(gunzipSync(readFileSync(path)).toString("utf8"));
  return raw.map((tr) => {
    if (tr.points.length !== tr.timing.length) throw new Error("cursory: points/timing length mismatch");
    return {
      start: tr.points[0],
      end: tr.points[tr.points.length - 1],
      samples: tr.points.map(([x, y], i) => ({ x, y, t: tr.timing[i] })),
    };
  });
}

/** Coalesces a high-rate stream to display frames (the latest position per frame, emitted
 *  only when the pointer moved), like a browser's pointermove dispatch. */
export function coalesceToFrames(samples, periodMs, phaseMs) {
  const out = [];
  let frameEnd = samples[0].t + phaseMs;
  let last = null;
  let pending = null;
  for (const s of samples) {
    while (s.t > frameEnd) {
      if (pending && (!last || pending.x !== last.x || pending.y !== last.y)) {
        last = { x: pending.x, y: pending.y, t: frameEnd };
        out.push(last);
      }
      pending = null;
      frameEnd += periodMs;
    }
    pending = s;
  }
  if (pending && (!last || pending.x !== last.x || pending.y !== last.y)) {
    out.push({ x: pending.x, y: pending.y, t: frameEnd });
  }
  const t0 = out[0].t;
  return out.map((s) => ({ x: s.x, y: s.y, t: s.t - t0 }));
}

export function loadSmartMouse(path) {
  const data = JSON.parse(readFileSync(path, "utf8"));
  const out = [];
  let k = 0;
  for (const bucket of Object.keys(data).sort((a, b) => Number(a) - Number(b))) {
    for (const dir of Object.keys(data[bucket])) {
      for (const rec of data[bucket][dir]) {
        if (rec.length !== 3) continue; // old format without timing
        const [dxs, dys, dts] = rec;
        let x = 400, y = 400, t = 0;
        const raw = [{ x, y, t }];
        for (let i = 0; i < Math.min(dxs.length, dys.length, dts.length); i++) {
          x += dxs[i];
          y += dys[i];
          t += dts[i];
          raw.push({ x, y, t });
        }
        // Deterministic frame phase per recording.
        const samples = coalesceToFrames(raw, 1000 / 60, ((k * 7.3) % 16.6) + 0.05);
        k++;
        if (samples.length < 3) continue;
        out.push({ start: [samples[0].x, samples[0].y], end: [x, y], samples });
      }
    }
  }
  return out;
}

/** The sampling intervals of a human trajectory without its pauses: the "device clock" a
 *  bot borrows so that sampling rate and jitter cannot tell the classes apart. */
export function frameIntervals(samples) {
  const d = [];
  for (let i = 1; i < samples.length; i++) d.push(samples[i].t - samples[i - 1].t);
  const sorted = d.filter((v) => v > 0).sort((a, b) => a - b);
  const med = sorted[Math.floor(sorted.length / 2)] ?? 16;
  const frames = d.filter((v) => v > 0 && v <= med * 1.6);
  return frames.length ? frames : [16];
}
