// The proof-of-work solver (dist/pow.mjs, built from src/pow.ts), checked against node:crypto.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CHALLENGE, fakeWorker, smallestNonce, zeroBits } from "./helpers.mjs";

const P = await import("../dist/pow.mjs");

test("solveSync: the smallest valid nonce for difficulties 0, 1, 8 and 12", () => {
  for (const c of [CHALLENGE, "abc", "", "x".repeat(64)]) {
    for (const d of [0, 1, 8, 12]) {
      const n = P.solveSync(c, d);
      assert.equal(n, smallestNonce(c, d), `${JSON.stringify(c.slice(0, 10))}… d=${d}`);
      assert.ok(zeroBits(c, n) >= d);
    }
  }
  assert.equal(P.solveSync(CHALLENGE, 0), "0");
});

test("solveSync: long challenges (> 64 and > 128 bytes: the midstate path), every tail layout", () => {
  // Every length from 0 to 200 bytes: 0–2 cached blocks, digits crossing into a second tail
  // block, one- and two-block tails, and digit counts growing (9 → 10, 99 → 100, …).
  for (let len = 0; len <= 200; len++) {
    const c = "Ab0-_".repeat(41).slice(0, len);
    assert.equal(P.solveSync(c, 6), smallestNonce(c, 6), `length ${len}`);
  }
  for (const c of ["q".repeat(100), "z".repeat(129), "w".repeat(256), CHALLENGE + CHALLENGE]) {
    assert.ok(c.length > 64);
    assert.equal(P.solveSync(c, 12), smallestNonce(c, 12), `length ${c.length}`);
  }
  // UTF-8: the bytes are hashed, not the UTF-16 code units.
  const u = "ü✓😀".repeat(20);
  assert.equal(P.solveSync(u, 8), smallestNonce(u, 8));
});

test("solveSync: a range [start, start + count), and null when it holds no solution", () => {
  const c = CHALLENGE;
  const all = [];
  for (let i = 0; all.length < 3; i++) if (zeroBits(c, String(i)) >= 8) all.push(i);
  assert.equal(P.solveSync(c, 8, 0, all[0]), null);
  assert.equal(P.solveSync(c, 8, 0, all[0] + 1), String(all[0]));
  assert.equal(P.solveSync(c, 8, all[0] + 1), String(all[1]));
  assert.equal(P.solveSync(c, 8, all[1] + 1, all[2] - all[1]), String(all[2]));
  assert.equal(P.solveSync(c, 0, 95, 10), "95");
  assert.equal(P.solveSync(c, 32, 0, 1000), null);
  assert.equal(P.solveSync(c, 33), null, "over 32 bits: unsolvable here");
  // 20 digits is the longest nonce.
  assert.equal(P.solveSync(c, 0, 1e19), "10000000000000000000");
});

test("digest: SHA-256 of bytes", async () => {
  const { createHash } = await import("node:crypto");
  for (let n = 0; n < 140; n += 7) {
    const m = new Uint8Array(n).map((_, i) => (i * 37) & 255);
    const hex = [...P.digest(m)].map((x) => (x >>> 0).toString(16).padStart(8, "0")).join("");
    assert.equal(hex, createHash("sha256").update(m).digest("hex"), `${n} bytes`);
  }
});

test("solve: in a Web Worker made from a Blob URL (the worker's source is self-contained)", async () => {
  const made = fakeWorker();
  try {
    const c = "y".repeat(150);
    assert.equal(await P.solve(c, 12), smallestNonce(c, 12));
    assert.equal(made.length, 1);
    assert.match(made[0], /^blob:/);
    assert.equal(await P.solveInWorker(CHALLENGE, 0), "0");
  } finally {
    delete globalThis.Worker;
  }
});

test("solve: on the main thread when no worker can be made or it fails", async () => {
  const c = CHALLENGE;
  const want = smallestNonce(c, 12);
  assert.equal(globalThis.Worker, undefined);
  assert.equal(await P.solve(c, 12), want, "no Worker");
  for (const mode of ["throw", "error"]) {
    const made = fakeWorker(mode);
    try {
      await assert.rejects(P.solveInWorker(c, 12));
      assert.equal(await P.solve(c, 12), want, mode);
      assert.equal(made.length, 2);
    } finally {
      delete globalThis.Worker;
    }
  }
});

test("solveInSlices: the event loop keeps running while it works", async () => {
  let ticks = 0;
  let longest = 0;
  let last = performance.now();
  let stop = false;
  const beat = () => {
    const t = performance.now();
    longest = Math.max(longest, t - last);
    last = t;
    ticks++;
    if (!stop) setImmediate(beat);
  };
  setImmediate(beat);
  const c = "s".repeat(100);
  const t0 = performance.now();
  const n = await P.solveInSlices(c, 16);
  const ms = performance.now() - t0;
  stop = true;
  assert.equal(n, smallestNonce(c, 16));
  assert.ok(zeroBits(c, n) >= 16);
  // Slices of about 4 ms; allow for a loaded machine.
  assert.ok(ticks >= Math.min(5, ms / 20), `${ticks} ticks in ${ms.toFixed(0)} ms`);
  assert.ok(longest < 150, `longest block ${longest.toFixed(1)} ms`);
});
