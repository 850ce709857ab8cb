// Sanity of the bot generators and the resampling: node --test bench/eval/js/
import { test } from "node:test";
import assert from "node:assert/strict";

import { rng } from "./rng.mjs";
import { GENERATORS, resample } from "./bots.mjs";
import { coalesceToFrames, frameIntervals } from "./humans.mjs";

const start = [100, 200];
const end = [700, 450];
const clock = [16, 17, 16, 17, 16, 33, 17];

for (const [name, { fn }] of Object.entries(GENERATORS)) {
  test(`${name}: starts and ends on the points, observed on the donor's clock in whole pixels`, () => {
    const r = rng(42);
    const real = Math.random;
    Math.random = r.next;
    let path;
    try {
      path = fn(r, start, end, 800);
    } finally {
      Math.random = real;
    }
    assert.ok(path.length >= 2);
    for (let i = 1; i < path.length; i++) assert.ok(path[i].t >= path[i - 1].t, "time runs forward");
    const s = resample(r, path, clock);
    assert.ok(s.length >= 5, `${s.length} samples`);
    assert.deepEqual([s[0].x, s[0].y], start);
    const z = s[s.length - 1];
    assert.ok(Math.hypot(z.x - end[0], z.y - end[1]) <= 1, `ends at ${z.x},${z.y}`);
    for (const p of s) assert.ok(Number.isInteger(p.x) && Number.isInteger(p.y));
    // Every interval is a sum of clock ticks (a tick without movement emits nothing).
    for (let i = 1; i < s.length; i++) assert.ok(s[i].t - s[i - 1].t >= 16 - 1e-9);
  });
}

test("the same seed gives the same trajectory", () => {
  const run = () => {
    const r = rng(7);
    const real = Math.random;
    Math.random = r.next;
    try {
      return resample(r, GENERATORS.ghost_cursor.fn(r, start, end, 800), clock);
    } finally {
      Math.random = real;
    }
  };
  assert.deepEqual(run(), run());
});

test("frameIntervals drops pauses; coalesceToFrames keeps one sample per moved frame", () => {
  const samples = [0, 16, 33, 49, 400, 416].map((t, i) => ({ x: i, y: 0, t }));
  assert.deepEqual(frameIntervals(samples), [16, 17, 16, 16]);
  const raw = [];
  for (let t = 0; t <= 100; t += 2) raw.push({ x: Math.floor(t / 10), y: 0, t });
  const f = coalesceToFrames(raw, 1000 / 60, 1);
  for (let i = 1; i < f.length; i++) {
    assert.ok(f[i].t - f[i - 1].t >= 16.6);
    assert.notDeepEqual([f[i].x, f[i].y], [f[i - 1].x, f[i - 1].y]);
  }
});
