// dist/botect.mjs over REST: batches, retries with the same Idempotency-Key, the cookie.
import assert from "node:assert/strict";
import { test } from "node:test";
import { accepted, fakeBrowser, mockFetch } from "./helpers.mjs";

const env = fakeBrowser({ protocol: "https:" });
// The first batch (page + js_probe) goes out as soon as the probe finishes, during init:
// its first attempt fails at the network level.
let respond = (c, n) => {
  if (n === 1) throw new TypeError("Failed to fetch");
  return accepted("sess_first");
};
const calls = mockFetch((c, n) => respond(c, n));
const Botect = (await import("../dist/botect.mjs")).default;
Botect.init({ siteKey: "pk_test", endpoint: "https://botect.example/", transport: "rest" });
const tokenAtStart = Botect.getSessionToken();

const REQUEST_ID = /^[A-Za-z0-9_-]{1,128}$/;
const UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

test("a network failure is retried with the same Idempotency-Key and body; the next batch gets a new key", async () => {
  assert.equal(tokenAtStart, null);
  await Botect.flush();
  assert.equal(calls.length, 2);
  const [a, b] = calls;
  assert.equal(a.url, "https://botect.example/v1/events");
  assert.equal(a.method, "POST");
  assert.equal(a.headers["x-botect-site-key"], "pk_test");
  assert.equal(a.headers["content-type"], "application/json");
  assert.ok(a.headers["idempotency-key"]);
  assert.equal(b.headers["idempotency-key"], a.headers["idempotency-key"]);
  assert.equal(b.body, a.body);
  const body = JSON.parse(a.body);
  assert.equal(body.session_token, null);
  assert.deepEqual(body.events.map((e) => e.type).sort(), ["js_probe", "page"]);
  for (const e of body.events) {
    assert.match(e.request_id, REQUEST_ID);
    assert.match(e.received_at, UTC);
  }
  const page = body.events.find((e) => e.type === "page").payload;
  assert.equal(page.page_path_shape, "/orders/:id/items");
  assert.match(page.page_path_hash, /^[0-9a-f]{16}$/);
  const probe = body.events.find((e) => e.type === "js_probe").payload;
  assert.deepEqual(probe.plugins, []);
  assert.match(probe.ua_hash, /^[0-9a-f]{32}$/);
  assert.equal(typeof probe.js_passed, "boolean");

  // The token is kept and stored in the first-party cookie.
  assert.equal(Botect.getSessionToken(), "sess_first");
  assert.equal(env.jar.get("botect_session"), "sess_first");
  const w = env.writes.at(-1);
  for (const attr of ["path=/", "SameSite=Lax", "max-age=2592000", "Secure"]) assert.ok(w.includes(attr), w);
  assert.ok(!/HttpOnly/i.test(w));

  // New activity → a new batch with a new key, carrying the token.
  respond = () => accepted("sess_first");
  env.fire("click");
  await Botect.flush();
  assert.equal(calls.length, 3);
  assert.notEqual(calls[2].headers["idempotency-key"], a.headers["idempotency-key"]);
  const next = JSON.parse(calls[2].body);
  assert.equal(next.session_token, "sess_first");
  const mouse = next.events.find((e) => e.type === "mouse");
  assert.equal(mouse.payload.click_events, 1);
});

test("5xx is retried with the same key; the answer's token wins", async () => {
  const before = calls.length;
  respond = (c, n) => (n === before + 1 ? new Response("oops", { status: 503 }) : accepted("sess_second"));
  env.fire("click");
  await Botect.flush();
  assert.equal(calls.length, before + 2);
  assert.equal(calls[before].headers["idempotency-key"], calls[before + 1].headers["idempotency-key"]);
  assert.equal(calls[before].body, calls[before + 1].body);
  assert.equal(Botect.getSessionToken(), "sess_second");
  assert.equal(env.jar.get("botect_session"), "sess_second");
});

test("a 4xx is not retried: the batch is dropped and flush rejects", async () => {
  const before = calls.length;
  respond = () => new Response('{"code":"INVALID_PAYLOAD"}', { status: 422 });
  env.fire("click");
  await assert.rejects(Botect.flush(), (e) => e.status === 422 && e.retry === false);
  assert.equal(calls.length, before + 1);
  // Nothing left to send.
  respond = () => accepted("sess_second");
  await Botect.flush();
  assert.equal(calls.length, before + 1);
});

test("a 204 (shed under overload) is not retried: the batch is dropped, flush resolves, the token stays", async () => {
  const before = calls.length;
  const token = Botect.getSessionToken();
  respond = () => new Response(null, { status: 204 });
  env.fire("click");
  await Botect.flush();
  assert.equal(calls.length, before + 1);
  assert.equal(Botect.getSessionToken(), token);
  // The shed batch is not sent again; the next activity makes a new batch with a new key.
  respond = () => accepted(token);
  await Botect.flush();
  assert.equal(calls.length, before + 1);
  env.fire("click");
  await Botect.flush();
  assert.equal(calls.length, before + 2);
  assert.notEqual(calls[before + 1].headers["idempotency-key"], calls[before].headers["idempotency-key"]);
  assert.equal(JSON.parse(calls[before + 1].body).session_token, token);
});

test("keyboard and pointer activity become mouse and first_input aggregates, never key values", async () => {
  const before = calls.length;
  for (let i = 0; i < 20; i++) env.fire("pointermove", { clientX: 10 + i * 7, clientY: 40 + i * 3, timeStamp: 1000 + i * 16, pointerType: "mouse", isTrusted: true });
  env.fire("keydown", { code: "KeyS", key: "s", timeStamp: 2000 });
  env.fire("keyup", { code: "KeyS", key: "s", timeStamp: 2080 });
  env.fire("keydown", { code: "KeyE", key: "e", timeStamp: 2150 });
  env.fire("keyup", { code: "KeyE", key: "e", timeStamp: 2230 });
  await Botect.flush();
  const body = JSON.parse(calls[before].body);
  assert.ok(!/"KeyS"|"KeyE"|"s"|"e"/.test(JSON.stringify(body.events.map((e) => e.payload))));
  const mouse = body.events.find((e) => e.type === "mouse").payload;
  assert.equal(mouse.pointer_moves, 20);
  assert.equal(mouse.path_straightness, 1);
  assert.deepEqual(mouse.pointer_types, ["mouse"]);
  assert.equal("x" in mouse || "clientX" in mouse, false);
  const fi = body.events.find((e) => e.type === "first_input").payload;
  assert.equal(fi.key_events, 2);
  assert.equal(fi.key_interval_mean_ms, 150);
  assert.equal(fi.key_dwell_mean_ms, 80);
  // The first keydown is the page's first input (clicks alone are not input events here).
  assert.ok(fi.first_input_delay_ms >= 0 && fi.time_to_first_input_ms >= 0);
  env.fire("keydown", { code: "KeyX", timeStamp: 3000 });
  await Botect.flush();
  const later = JSON.parse(calls.at(-1).body).events.find((e) => e.type === "first_input").payload;
  assert.deepEqual(later, { key_events: 1 });
  const snap = body.events.find((e) => e.type === "snapshot").payload;
  assert.ok(snap.total_ms >= 0 && snap.visible_ms >= 0);
});
