// The proof of work over REST (dist/botect.mjs, solving in a Web Worker): the challenge fetch
// at init, the proof in the first batch's body, retries with identical bytes, the session
// marked proven.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CHALLENGE, accepted, fakeBrowser, fakeWorker, mockFetch, smallestNonce } from "./helpers.mjs";

const env = fakeBrowser();
const workers = fakeWorker();
// The first batch's first attempt fails at the network level.
const calls = mockFetch((c, n) => {
  if (n === 1) throw new TypeError("Failed to fetch");
  return accepted("sess_pow_1");
});
const Botect = (await import("../dist/botect.mjs")).default;
Botect.init({ siteKey: "pk_test", endpoint: "https://botect.example/" });

test("init fetches a challenge with the site key; the first batch carries the proof, on every attempt", async () => {
  await Botect.flush();
  assert.equal(calls.challenges.length, 1);
  const ch = calls.challenges[0];
  assert.equal(ch.url, "https://botect.example/v1/challenges");
  assert.equal(ch.method, "POST");
  assert.equal(ch.headers["x-botect-site-key"], "pk_test");
  assert.equal(ch.headers["content-type"], "application/json");
  assert.equal(ch.body, "{}");
  assert.equal(ch.credentials, "omit");
  assert.equal(ch.keepalive, false);
  // Solved in a Web Worker from a Blob URL (the minified bundle's worker source runs).
  assert.equal(workers.length, 1);
  assert.match(workers[0], /^blob:/);

  assert.equal(calls.length, 2);
  const [a, b] = calls;
  assert.ok(ch.at <= a.at);
  assert.equal(b.headers["idempotency-key"], a.headers["idempotency-key"]);
  assert.equal(b.body, a.body, "the retry sends identical bytes, proof included");
  const body = JSON.parse(a.body);
  assert.deepEqual(Object.keys(body), ["session_token", "events", "integrity"]);
  assert.deepEqual(body.integrity, { challenge: CHALLENGE, nonce: smallestNonce(CHALLENGE, 8) });
  assert.deepEqual(body.events.map((e) => e.type).sort(), ["js_probe", "page"]);
  assert.equal(Botect.getSessionToken(), "sess_pow_1");
  // Proven: remembered for the next pages of this tab.
  assert.equal(env.storage.get("botect_proof"), "sess_pow_1");
});

test("after the acknowledgement: no proof in later batches, no new challenge", async () => {
  env.fire("click");
  await Botect.flush();
  env.fire("click");
  window.dispatchEvent(new Event("pagehide"));
  await Botect.flush();
  assert.equal(calls.length, 4);
  for (const c of calls.slice(2)) assert.equal("integrity" in JSON.parse(c.body), false);
  assert.equal(calls.challenges.length, 1);
});
