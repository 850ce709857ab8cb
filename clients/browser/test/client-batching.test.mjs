// At most 100 events per batch, delivered in order, each exactly once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { accepted, fakeBrowser, mockFetch } from "./helpers.mjs";

const env = fakeBrowser();
let release;
const gate = new Promise((r) => (release = r));
const calls = mockFetch(async (c, n) => {
  if (n === 1) await gate;
  return accepted("sess_b", JSON.parse(c.body).events.length);
});
const Botect = (await import("../dist/botect.mjs")).default;
Botect.init({ siteKey: "pk_test", endpoint: "https://botect.example" });

test("a backlog is split into batches of at most 100 events", async () => {
  const flushes = [];
  await new Promise((r) => setTimeout(r, 10));
  for (let i = 0; i < 70; i++) {
    env.fire("click");
    flushes.push(Botect.flush());
  }
  release();
  await Promise.all(flushes);
  const batches = calls.map((c) => JSON.parse(c.body).events);
  assert.ok(batches.every((b) => b.length >= 1 && b.length <= 100), batches.map((b) => b.length).join(","));
  const ids = batches.flat().map((e) => e.request_id);
  assert.equal(new Set(ids).size, ids.length, "no event sent twice");
  // page + js_probe + 70 × (mouse + snapshot)
  assert.equal(ids.length, 2 + 140);
  assert.ok(batches.some((b) => b.length === 100));
  const keys = calls.map((c) => c.headers["idempotency-key"]);
  assert.equal(new Set(keys).size, keys.length);
});
