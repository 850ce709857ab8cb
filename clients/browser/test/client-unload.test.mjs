// The last batch on pagehide / visibilitychange:hidden goes out with fetch keepalive; a batch
// in flight is re-sent with its own key and body.
import assert from "node:assert/strict";
import { test } from "node:test";
import { accepted, fakeBrowser, mockFetch } from "./helpers.mjs";

const env = fakeBrowser();
let respond = () => accepted("sess_u");
const calls = mockFetch((c, n) => respond(c, n));
const Botect = (await import("../dist/botect.mjs")).default;
Botect.init({ siteKey: "pk_test", endpoint: "https://botect.example" });

test("pagehide sends what is left with keepalive", async () => {
  await Botect.flush();
  const before = calls.length;
  env.fire("click");
  env.fire("scroll", { timeStamp: 10 });
  window.dispatchEvent(new Event("pagehide"));
  assert.equal(calls.length, before + 1);
  const c = calls[before];
  assert.equal(c.keepalive, true);
  assert.ok(c.headers["idempotency-key"]);
  const types = JSON.parse(c.body).events.map((e) => e.type);
  assert.deepEqual(types.sort(), ["mouse", "scroll", "snapshot"]);
  await Botect.flush();
  assert.equal(calls.length, before + 1, "acknowledged: nothing to resend");
});

test("hidden page: the batch in flight is re-sent with the same key, the rest in a new batch", async () => {
  let release;
  respond = () => new Promise((r) => (release = () => r(accepted("sess_u"))));
  const before = calls.length;
  env.fire("click");
  const flushed = Botect.flush();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(calls.length, before + 1);
  const inFlight = calls[before];
  assert.equal(inFlight.keepalive, false);

  respond = () => accepted("sess_u");
  env.fire("click");
  env.doc.visibilityState = "hidden";
  env.fire("visibilitychange");
  const sent = calls.slice(before + 1);
  assert.ok(sent.every((c) => c.keepalive));
  const again = sent.find((c) => c.headers["idempotency-key"] === inFlight.headers["idempotency-key"]);
  assert.ok(again, "in-flight batch re-sent with its key");
  assert.equal(again.body, inFlight.body);
  const fresh = sent.filter((c) => c !== again);
  assert.equal(fresh.length, 1);
  const types = JSON.parse(fresh[0].body).events.map((e) => e.type).sort();
  assert.deepEqual(types, ["mouse", "snapshot", "visibility"]);

  // A second signal (pagehide after hidden) sends nothing new.
  const n = calls.length;
  window.dispatchEvent(new Event("pagehide"));
  assert.equal(calls.length, n);

  release();
  await flushed;
  await Botect.flush();
  assert.equal(calls.length, n);
});
