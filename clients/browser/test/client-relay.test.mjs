// dist/botect.mjs toward the official server SDK's same-site relay (a full events URL):
// batches in the hosted collector's vocabulary only, no proof of work, cookies sent because
// the relay is same-origin; and the route rules for every form of `endpoint`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fakeBrowser, loadSrc, mockFetch } from "./helpers.mjs";

const env = fakeBrowser({ protocol: "https:" });
location.href = "https://shop.example/orders/123/items";
let answer = () => new Response("", { status: 202 });
const calls = mockFetch((c, n) => answer(c, n));
const Botect = (await import("../dist/botect.mjs")).default;
Botect.init({ siteKey: "pk_test", endpoint: "/_botect/events?page_token=pt_123", transport: "grpc-web" });

// The hosted collector's keys (contract §3); nothing else may reach a relay.
const COLLECTOR = new Set(
  "mouse_entropy scroll_velocity visibility_changes first_input_delay_ms total_ms visible_ms time_to_first_input_ms mouse_moves pointer_moves scroll_events click_events key_events scroll_max_depth_pct max_touch_points coarse_pointer js_passed webdriver headless headless_ua zero_viewport missing_plugins navigator_anomaly collector_version page_path_hash page_path_shape pointer_types languages plugins".split(
    " ",
  ),
);

test("batches go to the relay URL as given, in the collector's vocabulary, with the page's cookies", async () => {
  await Botect.flush();
  assert.ok(calls.length >= 1);
  const a = calls[0];
  assert.equal(a.url, "https://shop.example/_botect/events?page_token=pt_123");
  assert.equal(a.credentials, "same-origin");
  assert.equal(a.headers["content-type"], "application/json");
  assert.equal(a.headers["x-botect-site-key"], undefined);
  const body = JSON.parse(a.body);
  assert.deepEqual(Object.keys(body).sort(), ["events", "session_token", "site_key"]);
  assert.equal(body.site_key, "pk_test");
  assert.equal(body.integrity, undefined);
  assert.ok(body.events.length <= 100);
  assert.deepEqual(body.events.map((e) => e.type).sort(), ["js_probe", "page"]);
  for (const e of body.events) for (const k of Object.keys(e.payload)) assert.ok(COLLECTOR.has(k), `${e.type}.${k}`);
  const probe = body.events.find((e) => e.type === "js_probe").payload;
  assert.equal(probe.ua_hash, undefined);
  assert.deepEqual(probe.plugins, []);
  // No challenge: a relay passes no proof.
  assert.equal(calls.challenges.length, 0);
});

test("an empty 2xx from the relay acknowledges the batch; interaction aggregates are cut to the vocabulary", async () => {
  const before = calls.length;
  for (let i = 0; i < 30; i++) env.fire("mousemove", { clientX: i * 7, clientY: i * 3, timeStamp: i * 16 });
  env.fire("click");
  await Botect.flush();
  assert.equal(calls.length, before + 1);
  const body = JSON.parse(calls[before].body);
  const mouse = body.events.find((e) => e.type === "mouse");
  assert.ok(mouse, JSON.stringify(body.events));
  for (const k of Object.keys(mouse.payload)) assert.ok(COLLECTOR.has(k), k);
  assert.equal(mouse.payload.click_events, 1);
  assert.equal(calls.challenges.length, 0);
});

test("endpoint forms: a base URL, Botect's own events URL, a relay; relative URLs resolve against the page", async () => {
  const { route } = await loadSrc("transport");
  const page = "https://shop.example/checkout";
  const origin = "https://shop.example";
  assert.deepEqual(route("https://botect.example/", page, origin), { endpoint: "https://botect.example", sameOrigin: false });
  assert.deepEqual(route("https://botect.example/prefix", page, origin), { endpoint: "https://botect.example/prefix", sameOrigin: false });
  assert.deepEqual(route("https://botect.example/v1/events", page, origin), { endpoint: "https://botect.example", sameOrigin: false });
  assert.deepEqual(route("/_botect/events?page_token=x", page, origin), {
    endpoint: "https://shop.example",
    relay: "https://shop.example/_botect/events?page_token=x",
    sameOrigin: true,
  });
  assert.deepEqual(route("https://collect.example/events", page, origin), {
    endpoint: "https://collect.example",
    relay: "https://collect.example/events",
    sameOrigin: false,
  });
});
