// Recorded human mouse movements for the real-browser scenarios: the `cursory` trajectories the
// offline evaluation uses (bench/eval/fetch-data.sh fetches them from PyPI into the eval's
// cache), fitted between two points, and human-like typing timings. A forger who replays
// recorded people has exactly this.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCursory } from "../../bench/eval/js/humans.mjs";
import { shuffledIndices } from "../../bench/eval/js/rng.mjs";

const EVAL = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bench", "eval");
const CURSORY = join(EVAL, ".cache", "cursory", "cursory", "trajectories.json.gz");
/** The evaluation's split seed (bench/eval/js/features.mjs). */
const SPLIT_SEED = 20260614;

let held;
/** The cursory trajectories of the evaluation's held-out half (never trained on), fetched on
 *  first use. */
export function heldOutTrajectories() {
  if (!held) {
    if (!existsSync(CURSORY)) execFileSync("bash", [join(EVAL, "fetch-data.sh")], { stdio: "inherit" });
    const all = loadCursory(CURSORY);
    const order = shuffledIndices(all.length, SPLIT_SEED);
    held = order.slice(Math.floor(all.length / 2)).map((i) => all[i]);
  }
  return held;
}

/**
 * A recorded movement from `a` to `b` ([x, y] px): of `candidates` random held-out
 * trajectories, the one whose start-to-end distance is closest to |ab|, rotated, scaled and
 * moved so that it starts at `a` and ends at `b`, with its own timing. Returns [x, y, dtMs,
 * same] steps (dt = the wait before that position; `same`: the rounded position did not change,
 * as motion.mjs's steps).
 */
export function recordedPath(r, a, b, { candidates = 40 } = {}) {
  const all = heldOutTrajectories();
  const want = Math.hypot(b[0] - a[0], b[1] - a[1]);
  if (want < 1) return [];
  let best = null;
  for (let k = 0; k < candidates; k++) {
    const tr = all[r.int(0, all.length - 1)];
    const s = tr.samples;
    const len = Math.hypot(s.at(-1).x - s[0].x, s.at(-1).y - s[0].y);
    if (len < 1) continue;
    const misfit = Math.abs(Math.log(want / len));
    if (!best || misfit < best.misfit) best = { s, len, misfit };
  }
  const { s, len } = best;
  const scale = want / len;
  const turn = Math.atan2(b[1] - a[1], b[0] - a[0]) - Math.atan2(s.at(-1).y - s[0].y, s.at(-1).x - s[0].x);
  const [cos, sin] = [Math.cos(turn), Math.sin(turn)];
  let prev = [Math.round(a[0]), Math.round(a[1])];
  return s.slice(1).map((p, i) => {
    const dx = (p.x - s[0].x) * scale;
    const dy = (p.y - s[0].y) * scale;
    const at = [Math.round(a[0] + dx * cos - dy * sin), Math.round(a[1] + dx * sin + dy * cos)];
    const same = at[0] === prev[0] && at[1] === prev[1];
    prev = at;
    return [at[0], at[1], p.t - s[i].t, same];
  });
}

/** Human-like typing of `text`: per key a dwell of 60–140 ms and a gap of 80–300 ms before the
 *  next key, longer after a space (motion.mjs types the same way through xdotool). */
export function typingPlan(r, text) {
  return [...text].map((ch, i) => ({
    ch,
    dwell: r.between(60, 140),
    gap: i === 0 ? 0 : text[i - 1] === " " ? r.between(250, 600) : r.between(80, 300),
  }));
}
