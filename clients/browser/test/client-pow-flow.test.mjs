// The challenge's timing rules, with several SDK instances running side by side (one module
// instance per `?query`, each with its own endpoint) so the 3 s ticks are waited for once:
//   a  the challenge fetch fails twice (503), the third fetch (a later tick) works: the proof
//      goes with a later batch, then no more fetches
//   b  every fetch fails: at most 3 fetches per page
//   c  an unknown algorithm, d  difficulty 33: no proof, no second fetch
//   e  the challenge endpoint never answers: the first batch waits 3 s, then goes without
//   x  the first challenge expires (within the 10 s margin) before a batch takes it: dropped,
//      a new one fetched on the next tick
//   s  a challenge already expired by the browser's clock (a skewed clock): sent anyway
import assert from "node:assert/strict";
import { test } from "node:test";
import { CHALLENGE, accepted, challengeReply, fakeBrowser, mockFetch, zeroBits } from "./helpers.mjs";

const env = fakeBrowser();
const host = (url) => new URL(url).hostname[0];
const tries = {};
const challenge = {
  a: (c, n) => (n < 3 ? new Response("busy", { status: 503 }) : challengeReply(c)),
  b: () => {
    throw new TypeError("Failed to fetch");
  },
  c: (c) => challengeReply(c, { algorithm: "SHA-512" }),
  d: (c) => challengeReply(c, { difficulty: 33 }),
  e: () => new Promise(() => {}),
  x: (c, n) => challengeReply(c, n === 1 ? { expires_at: new Date(Date.now() + 5000).toISOString() } : {}),
  s: (c) => challengeReply(c, { expires_at: new Date(Date.now() - 60_000).toISOString() }),
};
const calls = mockFetch((c) => accepted(`sess_${host(c.url)}_1`, JSON.parse(c.body).events.length), {
  challenge: (c) => {
    const h = host(c.url);
    tries[h] = (tries[h] || 0) + 1;
    return challenge[h](c, tries[h]);
  },
});
const of = (h) => calls.filter((c) => host(c.url) === h).map((c) => ({ at: c.at, ...JSON.parse(c.body) }));
const fetchesOf = (h) => calls.challenges.filter((c) => host(c.url) === h);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const t0 = Date.now();
const sdk = {};
for (const h of "abcdexs") {
  sdk[h] = (await import(`../dist/botect.mjs?${h}`)).default;
  sdk[h].init({ siteKey: "pk_test", endpoint: `https://${h}.example` });
}
const flushE = sdk.e.flush().then(() => Date.now() - t0);

test("a challenge endpoint that never answers: the first batch (and flush) wait 3 s, then go without", async () => {
  const ms = await flushE;
  assert.ok(ms >= 2900 && ms < 4500, `flush took ${ms} ms`);
  const [first] = of("e");
  assert.ok(first.at - t0 >= 2900, `first batch after ${first.at - t0} ms`);
  assert.deepEqual(first.events.map((e) => e.type).sort(), ["js_probe", "page"]);
  assert.equal("integrity" in first, false);
  assert.equal(fetchesOf("e").length, 1);
  // The others did not wait: their fetch had failed or given up already.
  for (const h of "bcd") assert.ok(of(h)[0].at - t0 < 1000, h);
});

test("failed fetches are retried on later ticks, at most 3 per page; the proof goes with a later batch", async () => {
  // Ticks at 3 s and 6 s retry; wait past the third tick (9 s).
  await sleep(6500 - (Date.now() - t0));
  assert.equal(fetchesOf("a").length, 3);
  env.fire("click");
  await sleep(9600 - (Date.now() - t0));
  const a = of("a");
  assert.equal(a.filter((b) => b.integrity).length, 1);
  const withProof = a.find((b) => b.integrity);
  assert.notEqual(withProof, a[0], "not the first batch");
  assert.ok(withProof.events.some((e) => e.type === "mouse"), "the tick's batch with the click");
  assert.equal(withProof.integrity.challenge, CHALLENGE);
  assert.ok(zeroBits(CHALLENGE, withProof.integrity.nonce) >= 8);
  assert.equal(fetchesOf("a").length, 3, "proven: no more fetches");

  assert.equal(fetchesOf("b").length, 3, "at most 3 fetches");
  for (const h of "bcde") assert.ok(of(h).every((b) => !("integrity" in b)), h);
  await Promise.all(Object.values(sdk).map((s) => s.flush()));
});

test("an expiring proof is dropped and a new challenge fetched; a skewed clock's is sent", () => {
  const x = of("x");
  assert.equal("integrity" in x[0], false);
  assert.equal(fetchesOf("x").length, 2);
  assert.equal(x.filter((b) => b.integrity).length, 1);
  const s = of("s");
  assert.ok(s[0].integrity, "the first batch");
  assert.equal(fetchesOf("s").length, 1);
});

test("an unknown algorithm or a difficulty over 32: no proof, no second fetch", () => {
  for (const h of "cd") {
    assert.equal(fetchesOf(h).length, 1, h);
    assert.ok(of(h).length >= 2);
    assert.ok(of(h).every((b) => !("integrity" in b)), h);
  }
});
