#!/usr/bin/env node
// Trains the behavioral engine's pointer-kinematics model (docs/detections.md, 0x0200000E) from
// the evaluation set that features.mjs builds, and measures it leave-one-generator-out.
//
//   node js/train.mjs --input out/features.jsonl \
//        --model ../../server/src/engines/kinematics_model.json --logo logo.json
//
// What it reads, and what it never reads:
//   * humans: the cursory TUNING half only (held-out humans and smart-mouse are dropped
//     unread, except for the leave-one-generator-out measurement below, which scores the
//     held-out half with models that never saw it);
//   * bots: those generated from the start/end pairs of tuning-half humans (split "tune");
//     bots built on held-out pairs are the evaluation's, never trained on.
//   * only windows of at least MIN_MOVES pointer moves: the engine applies the model to no
//     other window.
// The model: logistic regression on sign(v)·ln(1 + |v|) of each feature, standardised, a
// missing value filled with the tuning humans' median; class-balanced, L2, Adam, a fixed
// number of full-batch steps from zero, so the same input gives the same weights. The flag
// threshold is the logit that at most FLAG_SHARE of the tuning humans exceed.
// Leave-one-generator-out: for each generator, the same training without that generator's
// bots; its held-out bots and the held-out humans are then scored by that model.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    input: { type: "string" },
    model: { type: "string" },
    logo: { type: "string" },
  },
});
if (!args.input || !args.model) {
  console.error("usage: train.mjs --input features.jsonl --model model.json [--logo logo.json]");
  process.exit(2);
}

/** The window keys the model reads (the `mouse` payload, docs/ingest.md). */
export const FEATURES = [
  "accel_rel", "jerk_rel", "accel_sign_changes", "speed_p10_rel", "speed_p90_rel",
  "speed_peak_rel", "speed_autocorr", "step_cv", "submovements", "turn_alternation", "turn_p90",
  "deviation_max", "distance_50_at", "distance_90_at", "fitts_ms_per_bit", "speed_cv",
  "accel_cv", "mouse_entropy", "direction_entropy", "path_straightness", "curvature_mean",
  "move_interval_cv", "speed_mean",
];
export const MIN_MOVES = 20;
const FLAG_SHARE = 0.0025;
const FPR_1 = 0.01;
const L2 = 1e-3;
const STEPS = 800;
const RATE = 0.05;

const moves = (p) => Math.max(p.mouse_moves ?? 0, p.pointer_moves ?? 0);
const all = readFileSync(args.input, "utf8").trim().split("\n").map((l) => JSON.parse(l))
  .filter((r) => moves(r.payload) >= MIN_MOVES);
const tuneHumans = all.filter((r) => r.generator === "cursory" && r.split === "tune");
const testHumans = all.filter((r) => r.generator === "cursory" && r.split === "test");
const bots = all.filter((r) => r.label === "bot");
// A bot's split is its start/end pair's (features.mjs).
const tuneBots = bots.filter((r) => r.split === "tune");
const testBots = bots.filter((r) => r.split === "test");
const generators = [...new Set(bots.map((r) => r.generator))];

const squash = (v) => Math.sign(v) * Math.log1p(Math.abs(v));
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : 0;
};
// Missing values: the tuning humans' median (a missing key says "too little data", which is
// no evidence either way).
const fill = FEATURES.map((k) => median(tuneHumans.map((r) => r.payload[k]).filter((v) => v !== undefined).map(squash)));
const vector = (r) => FEATURES.map((k, j) => (r.payload[k] === undefined ? fill[j] : squash(r.payload[k])));
for (const r of all) r.x = vector(r);

function train(rows) {
  const D = FEATURES.length;
  const mean = new Array(D).fill(0);
  const sd = new Array(D).fill(0);
  for (const r of rows) r.x.forEach((v, j) => (mean[j] += v / rows.length));
  for (const r of rows) r.x.forEach((v, j) => (sd[j] += (v - mean[j]) ** 2 / rows.length));
  for (let j = 0; j < D; j++) sd[j] = Math.sqrt(sd[j]) || 1;
  const Z = rows.map((r) => r.x.map((v, j) => (v - mean[j]) / sd[j]));
  const y = rows.map((r) => (r.label === "bot" ? 1 : 0));
  const nBots = y.reduce((a, b) => a + b, 0);
  const weight = y.map((v) => (v ? 0.5 / nBots : 0.5 / (y.length - nBots)));
  const w = new Array(D + 1).fill(0); // last entry: bias
  const m1 = new Array(D + 1).fill(0);
  const m2 = new Array(D + 1).fill(0);
  for (let step = 1; step <= STEPS; step++) {
    const g = new Array(D + 1).fill(0);
    for (let i = 0; i < Z.length; i++) {
      let z = w[D];
      for (let j = 0; j < D; j++) z += w[j] * Z[i][j];
      const e = (1 / (1 + Math.exp(-z)) - y[i]) * weight[i];
      for (let j = 0; j < D; j++) g[j] += e * Z[i][j];
      g[D] += e;
    }
    for (let j = 0; j < D; j++) g[j] += L2 * w[j];
    for (let j = 0; j <= D; j++) {
      m1[j] = 0.9 * m1[j] + 0.1 * g[j];
      m2[j] = 0.999 * m2[j] + 0.001 * g[j] ** 2;
      w[j] -= (RATE * (m1[j] / (1 - 0.9 ** step))) / (Math.sqrt(m2[j] / (1 - 0.999 ** step)) + 1e-8);
    }
  }
  // Fold the standardisation into the weights: logit = bias + Σ weight_j · squash(v_j).
  const weights = w.slice(0, D).map((wj, j) => wj / sd[j]);
  const bias = w[D] - weights.reduce((a, wj, j) => a + wj * mean[j], 0);
  const logit = (r) => r.x.reduce((a, v, j) => a + weights[j] * v, bias);
  return { weights, bias, logit };
}

/** The logit that at most `share` of `humans` exceed (flag when logit > it). */
function cut(humans, logit, share) {
  const s = humans.map(logit).sort((a, b) => b - a);
  return s[Math.floor(share * s.length)];
}

/** ROC AUC, bots positive, higher logit = more bot-like (ties count half). */
function auc(pos, neg) {
  const all = [...pos.map((v) => [v, 1]), ...neg.map((v) => [v, 0])].sort((a, b) => a[0] - b[0]);
  let sumRanks = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j][0] === all[i][0]) j++;
    for (let k = i; k < j; k++) if (all[k][1]) sumRanks += (i + j + 1) / 2;
    i = j;
  }
  return (sumRanks - (pos.length * (pos.length + 1)) / 2) / (pos.length * neg.length);
}
const rate = (xs, t) => xs.filter((v) => v > t).length / xs.length;
const r4 = (x) => Math.round(x * 1e4) / 1e4;

const model = train([...tuneHumans, ...tuneBots]);
const flag = cut(tuneHumans, model.logit, FLAG_SHARE);
const out = {
  about:
    "Botect behavioral engine: pointer-kinematics model (logistic regression). Generated by " +
    "bench/eval/js/train.mjs from the evaluation set (cursory tuning-half humans and the bots " +
    "built on their start/end pairs); do not edit. logit = bias + sum(weight * sign(v) * ln(1 + |v|)), " +
    "a missing key contributes weight * fill; a window is judged only with at least min_moves moves.",
  min_moves: MIN_MOVES,
  flag_logit: r4(flag),
  bias: r4(model.bias),
  features: FEATURES.map((key, j) => ({ key, weight: r4(model.weights[j]), fill: r4(fill[j]) })),
  trained_on: { tune_humans: tuneHumans.length, tune_bots: tuneBots.length, steps: STEPS, l2: L2, flag_share: FLAG_SHARE },
};
writeFileSync(args.model, JSON.stringify(out, null, 2) + "\n");
const heldOut = testHumans.map(model.logit);
console.error(
  `train: ${tuneHumans.length} tuning humans + ${tuneBots.length} bots → ${args.model}; flag logit ${out.flag_logit}; ` +
    `held-out humans over it ${heldOut.filter((v) => v > flag).length}/${heldOut.length}; ` +
    `held-out bots over it ${(100 * rate(testBots.map(model.logit), flag)).toFixed(1)} %; AUC ${auc(testBots.map(model.logit), heldOut).toFixed(4)}`,
);

if (args.logo) {
  const rows = [];
  for (const g of generators) {
    const m = train([...tuneHumans, ...tuneBots.filter((r) => r.generator !== g)]);
    const humans = testHumans.map(m.logit);
    const left = testBots.filter((r) => r.generator === g).map(m.logit);
    const t1 = cut(tuneHumans, m.logit, FPR_1);
    const tf = cut(tuneHumans, m.logit, FLAG_SHARE);
    rows.push({
      generator: g,
      bots: left.length,
      humans: humans.length,
      auc: r4(auc(left, humans)),
      caught_at_1pct: r4(rate(left, t1)),
      humans_at_1pct: r4(rate(humans, t1)),
      caught_at_flag: r4(rate(left, tf)),
      humans_at_flag: r4(rate(humans, tf)),
    });
    console.error(`train: without ${g}: AUC ${rows.at(-1).auc}, caught at 1 % ${rows.at(-1).caught_at_1pct}`);
  }
  writeFileSync(
    args.logo,
    JSON.stringify({ min_moves: MIN_MOVES, flag_share: FLAG_SHARE, fpr: FPR_1, generators: rows }, null, 2) + "\n",
  );
}
