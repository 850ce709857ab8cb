#!/usr/bin/env node
// Builds the evaluation set: human trajectories (cursory, smart-mouse) and generated bot
// trajectories, each turned into the `mouse` event payload by the browser SDK's own
// aggregation code (`pointerFeatures` from clients/browser/dist/aggregate.mjs).
//
//   node js/features.mjs --cache .cache --out out/features.jsonl [--quick]
//
// Output: one JSON object per line:
//   {id, label: "human"|"bot", generator, split: "tune"|"test", payload}
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

import { rng, shuffledIndices } from "./rng.mjs";
import { loadCursory, loadSmartMouse, frameIntervals } from "./humans.mjs";
import { GENERATORS, resample } from "./bots.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    cache: { type: "string", default: resolve(here, "../.cache") },
    out: { type: "string", default: resolve(here, "../out/features.jsonl") },
    aggregate: {
      type: "string",
      default: process.env.BOTECT_AGGREGATE ?? resolve(here, "../../../clients/browser/dist/aggregate.mjs"),
    },
    quick: { type: "boolean", default: false },
    seed: { type: "string", default: "20260614" },
  },
});

const SEED = Number(args.seed);
// --quick: a deterministic subsample (a few hundred trajectories) for CI.
const QUICK_HUMANS = 400;
const QUICK_BOTS_PER_GENERATOR = 60;

if (!existsSync(args.aggregate)) {
  console.error(`features: ${args.aggregate} not found (build the browser SDK first)`);
  process.exit(2);
}
const agg = await import(pathToFileURL(args.aggregate).href);
if (typeof agg.pointerFeatures !== "function") {
  console.error(`features: ${args.aggregate} does not export pointerFeatures()`);
  process.exit(2);
}

const cursoryPath = resolve(args.cache, "cursory/cursory/trajectories.json.gz");
const smartPath = resolve(args.cache, "smart-mouse/smart_mouse/mousedata.json");
const humans = loadCursory(cursoryPath);
const smart = existsSync(smartPath) ? loadSmartMouse(smartPath) : [];

// Humans: a seeded shuffle, first half tunes the thresholds, second half is held out.
const order = shuffledIndices(humans.length, SEED);
const half = Math.floor(humans.length / 2);
const splitOf = new Array(humans.length);
order.forEach((idx, rank) => (splitOf[idx] = rank < half ? "tune" : "test"));
let humanIdx = Array.from({ length: humans.length }, (_, i) => i);
if (args.quick) humanIdx = order.filter((_, rank) => rank % Math.ceil(humans.length / QUICK_HUMANS) === 0);

const rows = [];
const withTrust = (samples) => samples.map((s) => ({ x: s.x, y: s.y, t: s.t, trusted: true }));
// One window of samples → the `mouse` event payload, as clients/browser/src/signals.ts builds
// it: the SDK's aggregates plus the window counters the browser adds itself (each move fires
// one pointermove and one mousemove; no clicks here).
const features = (samples) => {
  const n = samples.length;
  const p = { ...agg.pointerFeatures(withTrust(samples)), mouse_moves: n, pointer_moves: n, click_events: 0 };
  for (const [k, v] of Object.entries(p)) {
    if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`pointerFeatures: ${k} = ${v}`);
  }
  return p;
};

for (const i of humanIdx) {
  rows.push({ id: `cursory-${i}`, label: "human", generator: "cursory", split: splitOf[i], payload: features(humans[i].samples) });
}
const smartIdx = args.quick ? smart.map((_, i) => i).filter((i) => i % 4 === 0) : smart.map((_, i) => i);
for (const i of smartIdx) {
  rows.push({ id: `smart-mouse-${i}`, label: "human", generator: "smart-mouse", split: "test", payload: features(smart[i].samples) });
}

/** Time the human actually spent moving (its pauses over 100 ms left out). */
function activeMs(samples) {
  let T = 0;
  for (let k = 1; k < samples.length; k++) {
    const d = samples[k].t - samples[k - 1].t;
    if (d <= 100) T += d;
  }
  return Math.max(T, 50);
}

// Bots: one per human start/end pair (quick: a subsample from both halves). Each bot borrows
// the pair's start and end points, its frame clock (sampling intervals) and, unless the
// generator has its own timing model, its movement time; its split is its pair's: bots on
// tuning-half pairs train the kinematics model (js/train.mjs) and are left out of the
// published numbers, bots on held-out pairs are measured.
const botPairs = args.quick
  ? order.filter((_, rank) => rank % Math.ceil(humans.length / QUICK_BOTS_PER_GENERATOR) === 0)
  : order;
let gi = 0;
for (const [name, { fn }] of Object.entries(GENERATORS)) {
  gi++;
  for (const i of botPairs) {
    const r = rng(SEED ^ (gi * 0x9e3779b1) ^ (i * 0x85ebca6b));
    const h = humans[i];
    const realRandom = Math.random;
    Math.random = r.next; // ghost-cursor draws from Math.random: make it reproducible
    let path;
    try {
      path = fn(r, h.start, h.end, activeMs(h.samples));
    } finally {
      Math.random = realRandom;
    }
    const samples = resample(r, path, frameIntervals(h.samples));
    if (samples.length < 2) continue;
    rows.push({ id: `${name}-${i}`, label: "bot", generator: name, split: splitOf[i], payload: features(samples) });
  }
}

mkdirSync(dirname(args.out), { recursive: true });
writeFileSync(args.out, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
const count = (f) => rows.filter(f).length;
console.error(
  `features: ${rows.length} trajectories → ${args.out} ` +
    `(humans tune ${count((r) => r.label === "human" && r.split === "tune")}, ` +
    `test ${count((r) => r.label === "human" && r.split === "test")}; bots ${count((r) => r.label === "bot")})`,
);
