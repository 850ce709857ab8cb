// Everything the SDK sends passes the server's ingest validation: the allow-list and value
// checks are read from server/src/core/ingest.rs (the source of truth), and a busy page's
// whole traffic is checked against them, so the SDK and the server cannot drift apart.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CHALLENGE, accepted, fakeBrowser, mockFetch, root, zeroBits } from "./helpers.mjs";

// ---- the server's rules ----
const rs = readFileSync(join(root, "..", "..", "server", "src", "core", "ingest.rs"), "utf8");
const strings = (s) => [...s.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
const fnBody = (name) => {
  const i = rs.indexOf(`pub fn ${name}`);
  assert.ok(i >= 0, `ingest.rs has fn ${name}`);
  return rs.slice(i, rs.indexOf("\n}\n", i));
};
const consts = {};
for (const m of rs.matchAll(/const (\w+): &\[&str\] = &\[([^\]]*)\];/g)) consts[m[1]] = strings(m[2]);
const kinds = {};
for (const m of rs.matchAll(/\(\s*"(\w+)",\s*KeyKind::(\w+)(?:\s*\{\s*min:\s*(-?[\d.]+),\s*max:\s*([\w.]+),?\s*\})?,?\s*\)/g)) {
  kinds[m[1]] = { kind: m[2], min: m[3] === undefined ? undefined : Number(m[3]), max: m[4] === "ANY" ? Infinity : Number(m[4]) };
}
const snake = (v) => v.replace(/[A-Z]/g, (c, i) => (i ? "_" : "") + c.toLowerCase());
const allowed = {};
for (const m of fnBody("allowed_keys").matchAll(/EventKind::(\w+) => &\[([^\]]*)\]/g)) allowed[snake(m[1])] = strings(m[2]);
for (const m of fnBody("additional_keys").matchAll(/EventKind::(\w+) => (\w+),/g)) allowed[snake(m[1])].push(...consts[m[2]]);
allowed.snapshot = Object.keys(kinds);

function checkValue(key, v) {
  const k = kinds[key];
  const num = typeof v === "number" && Number.isFinite(v);
  switch (k.kind) {
    case "Number": return num && v >= k.min && v <= k.max;
    case "Count": return num && v >= 0 && Number.isInteger(v);
    case "Flag01": return v === 0 || v === 1;
    case "Bool": return typeof v === "boolean";
    case "Version": return typeof v === "string" && /^\d+\.\d+\.\d+$/.test(v) && v.length <= 32;
    case "Hex32": return typeof v === "string" && /^[0-9a-fA-F]{1,32}$/.test(v);
    case "Shape64": return typeof v === "string" && [...v].length <= 64;
    case "PointerTypes": return Array.isArray(v) && v.length <= 3 && new Set(v).size === v.length && v.every((t) => ["mouse", "touch", "pen"].includes(t));
    case "Languages": return Array.isArray(v) && v.length <= 10 && v.every((t) => typeof t === "string" && t.length > 0 && Buffer.byteLength(t) <= 35);
    case "EmptyArray": return Array.isArray(v) && v.length === 0;
    default: throw new Error(`unknown KeyKind ${k.kind} for ${key}`);
  }
}

test("the rules were read from ingest.rs", () => {
  assert.deepEqual(Object.keys(allowed).sort(), ["first_input", "js_probe", "mouse", "page", "scroll", "snapshot", "visibility"]);
  assert.ok(consts.COMMON.includes("collector_version"));
  const table = rs.slice(rs.indexOf("pub const KEYS"), rs.indexOf("];", rs.indexOf("pub const KEYS")));
  assert.equal(Object.keys(kinds).length, [...table.matchAll(/\(\s*"(\w+)",/g)].length, "every KEYS entry parsed");
  for (const k of ["mouse_entropy", "path_straightness", "ua_hash", "native_tampered", "plugins"]) assert.ok(kinds[k], k);
  assert.ok(allowed.mouse.includes("stroke_count") && allowed.js_probe.includes("cdp_detected"));
});

// ---- a busy page ----
const env = fakeBrowser({ pathname: "/checkout/5f3a9c2e-1b7d-4e8f-a0c1-9d2e3f4a5b6c/pay" });
Object.assign(navigator, {
  userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
  platform: "Win32",
  webdriver: false,
  hardwareConcurrency: 8,
  maxTouchPoints: 5,
  languages: ["en-US", "en", "x".repeat(40), "", "de-DE", "fr", "es", "it", "nl", "pl", "pt", "sv", "da"],
  userAgentData: { brands: [{ brand: "Chromium", version: "156" }, { brand: "Google Chrome", version: "156" }], platform: "Windows", mobile: false },
  permissions: { query: async () => ({ state: "prompt" }) },
});
Object.assign(globalThis, {
  chrome: {},
  matchMedia: (q) => ({ matches: /fine|coarse\)$/.test(q) }),
  Notification: { permission: "default" },
});
const calls = mockFetch((c) => accepted("sess_allow", JSON.parse(c.body).events.length));
const Botect = (await import("../dist/botect.mjs")).default;
Botect.init({ siteKey: "pk_test", endpoint: "https://botect.example" });

test("every event of a busy page passes the server's validation", async () => {
  let t = 100;
  for (let w = 0; w < 4; w++) {
    for (let i = 0; i < 150; i++) {
      t += i % 40 === 39 ? 500 : 5 + (i % 7) * 3;
      const pointerType = ["mouse", "pen", "touch"][i % 11 === 0 ? (i % 3) : 0];
      env.fire("pointermove", { clientX: 300 + 200 * Math.cos(i / 9) + (i % 5), clientY: 200 + 90 * Math.sin(i / 7), timeStamp: t, pointerType, isTrusted: i % 13 !== 0 });
      env.fire("mousemove", { clientX: i, clientY: i, timeStamp: t });
    }
    env.fire("pointerdown", { timeStamp: t });
    env.fire("click");
    env.fire("touchstart");
    env.fire("touchmove");
    for (let k = 0; k < 12; k++) {
      env.fire("keydown", { code: `Key${k}`, timeStamp: t + k * 110, repeat: k === 5 });
      env.fire("keyup", { code: `Key${k}`, timeStamp: t + k * 110 + 70 });
    }
    for (let s = 0; s < 10; s++) {
      globalThis.scrollY = s * 120;
      document.documentElement.scrollTop = s * 120;
      env.fire("scroll", { timeStamp: t + s * 30, target: document });
    }
    env.doc.visibilityState = w % 2 ? "visible" : "hidden";
    env.fire("visibilitychange");
    await Botect.flush();
  }
  window.dispatchEvent(new Event("pagehide"));
  await Botect.flush();

  const seen = new Set();
  const proofs = [];
  for (const c of calls) {
    const body = JSON.parse(c.body);
    // `integrity` is a top-level request field (the solved challenge), not an event payload.
    if ("integrity" in body) {
      assert.deepEqual(Object.keys(body.integrity).sort(), ["challenge", "nonce"]);
      assert.match(body.integrity.nonce, /^(0|[1-9]\d{0,19})$/);
      proofs.push(body.integrity);
    }
    assert.deepEqual(Object.keys(body).filter((k) => k !== "integrity").sort(), ["events", "session_token"]);
    assert.ok(body.events.length >= 1 && body.events.length <= 100);
    for (const [i, e] of body.events.entries()) {
      const where = `${e.type} event ${i}`;
      assert.match(e.request_id, /^[A-Za-z0-9_-]{1,128}$/, where);
      assert.match(e.received_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, where);
      assert.ok(allowed[e.type], `type ${e.type}`);
      assert.ok(JSON.stringify(e.payload).length <= 64 * 1024);
      for (const [k, v] of Object.entries(e.payload)) {
        assert.ok(allowed[e.type].includes(k) || consts.COMMON.includes(k), `${where}: key ${k} not allowed`);
        assert.ok(checkValue(k, v), `${where}: ${k} = ${JSON.stringify(v)} is invalid`);
      }
      seen.add(e.type);
    }
  }
  assert.deepEqual([...seen].sort(), ["first_input", "js_probe", "mouse", "page", "scroll", "snapshot", "visibility"]);
  // The page is hidden (an unload batch) before the challenge is solved; flush() then waits
  // for the solution and sends it, once.
  assert.equal(proofs.length, 1, "one proof");
  assert.equal(proofs[0].challenge, CHALLENGE);
  assert.ok(zeroBits(proofs[0].challenge, proofs[0].nonce) >= 8);
  const all = calls.flatMap((c) => JSON.parse(c.body).events);
  const probe = all.find((e) => e.type === "js_probe").payload;
  assert.equal(probe.languages.length, 10);
  assert.ok(!probe.languages.includes(""));
  assert.equal(probe.ua_data_mismatch, false);
  assert.equal(probe.headless, false);
  assert.equal(probe.navigator_anomaly, false);
  assert.equal(probe.coarse_pointer, 1);
  assert.deepEqual(probe.pointer_types, ["mouse", "touch"]);
  const page = all.find((e) => e.type === "page").payload;
  assert.equal(page.page_path_shape, "/checkout/:id/pay");
  const mouse = all.filter((e) => e.type === "mouse").map((e) => e.payload);
  assert.ok(mouse.some((p) => p.pause_count > 0 && p.pointer_types.length >= 2 && p.trusted_ratio < 1));
});
