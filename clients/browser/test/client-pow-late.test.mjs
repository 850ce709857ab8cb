// A challenge answered after the first batch's 3 s wait (3.5 s here): `flush()` waits for the
// solve and sends the proof even with nothing else to send (instance f); a page hidden once
// the solution is ready sends it with the keepalive batch (instance u).
import assert from "node:assert/strict";
import { test } from "node:test";
import { CHALLENGE, accepted, challengeReply, fakeBrowser, mockFetch, zeroBits } from "./helpers.mjs";

fakeBrowser();
const host = (url) => new URL(url).hostname[0];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const calls = mockFetch((c) => accepted(`sess_${host(c.url)}_1`, JSON.parse(c.body).events.length), {
  challenge: (c) => sleep(3500).then(() => challengeReply(c)),
});
const of = (h) => calls.filter((c) => host(c.url) === h).map((c) => ({ at: c.at, keepalive: c.keepalive, ...JSON.parse(c.body) }));
const t0 = Date.now();
const sdk = {};
for (const h of "fu") {
  sdk[h] = (await import(`../dist/botect.mjs?${h}`)).default;
  sdk[h].init({ siteKey: "pk_test", endpoint: `https://${h}.example` });
}

test("flush() during the solve waits for it and delivers the proof", async () => {
  await sleep(3200);
  for (const h of "fu") {
    assert.equal(of(h).length, 1, h);
    assert.equal("integrity" in of(h)[0], false, "the first batch went without");
  }
  const start = Date.now();
  await sdk.f.flush();
  assert.ok(Date.now() - start < 2000);
  const f = of("f");
  assert.equal(f.length, 2);
  assert.equal(f[1].integrity.challenge, CHALLENGE);
  assert.ok(zeroBits(CHALLENGE, f[1].integrity.nonce) >= 8);
  assert.deepEqual(f[1].events.map((e) => e.type), ["snapshot"], "a snapshot carries it");
  await sdk.f.flush();
  assert.equal(of("f").length, 2);
});

test("the keepalive batch of a hidden page carries a ready proof", async () => {
  await sleep(200);
  assert.equal(of("u").length, 1, "idle: the proof waits for a batch");
  window.dispatchEvent(new Event("pagehide"));
  const u = of("u");
  assert.equal(u.length, 2);
  assert.equal(u[1].keepalive, true);
  assert.equal(u[1].integrity.challenge, CHALLENGE);
  assert.ok(zeroBits(CHALLENGE, u[1].integrity.nonce) >= 8);
  // f is proven already: nothing more from it carries a proof.
  assert.equal(of("f").filter((b) => b.integrity).length, 1);
  await sdk.u.flush();
  assert.equal(of("u").length, 2);
  assert.equal(calls.challenges.length, 2);
});
