// The TypeScript client and the Express middleware against a live `botect serve` (SQLite in a
// temporary directory): the quickstart flow over gRPC and gRPC-web, an error mapped to its flat
// code, verdict() failing open at its deadline, and the middleware in a real Express app
// (cookie, route template, trusted-proxy address, every action, a hook, the cache, fail open).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import express from "express";
import { Botect, Action, Verdict, codeOf, FAIL_OPEN_REASON } from "../src/index.js";
import { botectMiddleware } from "../src/express.js";
import { EventType } from "../gen/botect/v1/ingest_pb.js";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const BIN = process.env.BOTECT_BIN ?? join(ROOT, "target", "debug", "botect");

let dir, db, proc, base, botect, token, project, siteKey, privateKey, session;
const cli = (...args) => execFileSync(BIN, ["--database-url", db, ...args], { env: { ...process.env, BOTECT_LOG: "warn" } }).toString();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "botect-ts-"));
  db = `sqlite://${dir}/botect.db`;
  proc = spawn(BIN, ["--database-url", db, "serve", "--listen", "127.0.0.1:0"], { env: { ...process.env, BOTECT_LOG: "warn" }, stdio: ["ignore", "pipe", "ignore"] });
  base = await new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error("botect serve did not start")), 30000);
    createInterface({ input: proc.stdout }).on("line", (l) => {
      const m = l.match(/^botect listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(t);
        ok(m[1]);
      }
    });
  });
  const email = `${randomUUID()}@ts-client.test`;
  cli("account", "create", "--name", "TS Shop", "--email", email);
  token = cli("token", "create", "--email", email, "--name", "ts").trim();
  botect = new Botect({ baseUrl: base });
  project = (await botect.projects(token).createProject({ name: "TS site" })).id;
  const enabled = await botect.scoring(token).enableScoring({ project });
  siteKey = enabled.siteKey;
  privateKey = enabled.privateKey;
  const mouse = { requestId: randomUUID().replaceAll("-", ""), type: EventType.mouse, receivedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"), payload: { entropy: 0.74, samples: 128 } };
  // gRPC-web for ingest, as a browser would send it.
  const web = new Botect({ baseUrl: base, protocol: "grpc-web" });
  const ack = await web.ingest(siteKey).ingestEvents({ events: [mouse] });
  session = ack.sessionToken;
  const until = Date.now() + 20000;
  for (;;) {
    const v = await botect.verdict(privateKey, session, { deadlineMs: 2000 });
    if (v.verdict !== Verdict.not_computed || Date.now() > until) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(() => {
  proc?.kill("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the quickstart flow: keys, an ingested event (gRPC-web), its verdict (gRPC)", async () => {
  assert.match(siteKey, /^pk_/);
  assert.match(privateKey, /^sk_/);
  assert.match(session, /^sess_/);
  const v = await botect.verdict(privateKey, session, { path: "/checkout", deadlineMs: 2000 });
  // The README quickstart's verdict: a script's single event is no browser; observe-first allows.
  assert.equal(v.verdict, Verdict.likely_automated);
  assert.equal(v.score, 4);
  assert.equal(v.action, Action.allow);
  assert.deepEqual(v.detectionIds, [16777226, 16777227]);
});

test("errors carry the flat code; a credential of one kind fails on another kind's service", async () => {
  await assert.rejects(botect.ingest(siteKey).ingestEvents({ events: [{ requestId: "not valid!", type: EventType.mouse }] }), (e) => codeOf(e) === "INVALID_PAYLOAD");
  await assert.rejects(botect.verdicts(siteKey).getVerdict({ sessionToken: session }), (e) => codeOf(e) === "UNAUTHENTICATED");
});

/** An address that accepts connections and never answers. */
async function silent() {
  const held = [];
  const s = createServer((c) => held.push(c));
  await new Promise((ok) => s.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${s.address().port}`, close: () => (held.forEach((c) => c.destroy()), s.close()) };
}

test("verdict() fails open within its deadline", async () => {
  const s = await silent();
  try {
    const mute = new Botect({ baseUrl: s.url });
    const start = Date.now();
    const v = await mute.verdict(privateKey, `sess_${"0".repeat(48)}`, { deadlineMs: 200 });
    assert.ok(Date.now() - start < 1000, `${Date.now() - start} ms`);
    assert.deepEqual([v.verdict, v.action, v.score, v.reason], [Verdict.not_computed, Action.allow, 0, FAIL_OPEN_REASON]);
  } finally {
    s.close();
  }
});

/** Serves an Express app whose routes show `req.botect`; returns its base URL and a closer. */
const logged = [];
async function app(options) {
  const a = express();
  const mw = botectMiddleware({ botect, privateKey, logger: { info: (m) => logged.push(m), warn: (m) => logged.push(m) }, ...options });
  const show = (req, res) => res.json({ source: req.botect.source, action: req.botect.action, path: req.botect.path });
  for (const p of ["/", "/admin", "/slow", "/challenge", "/orders/:id"]) a.get(p, mw, show);
  const server = await new Promise((ok) => {
    const s = a.listen(0, "127.0.0.1", () => ok(s));
  });
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

const get = async (url, cookie, xff) => {
  const headers = {};
  if (cookie) headers.cookie = cookie;
  if (xff) headers["x-forwarded-for"] = xff;
  const r = await fetch(url, { headers });
  const body = (r.headers.get("content-type") ?? "").includes("json") ? await r.json() : await r.text();
  return { status: r.status, headers: r.headers, body };
};

test("the Express middleware enforces every action with the request's context", async () => {
  for (const [expression, action] of [
    ['path == "/admin"', Action.block],
    ['path == "/slow"', Action.delay],
    ['path == "/challenge"', Action.challenge],
    ['path == "/orders/:id"', Action.block],
    ['ip in ["198.51.100.0/24"]', Action.block],
  ]) {
    await botect.rules(token).createRule({ project, name: expression.slice(0, 40), expression, action });
  }
  const cookie = `theme=dark; botect_session=${session}`;
  const a = await app({ trustedProxies: ["127.0.0.0/8", "::1/128"] });
  try {
    let r = await get(`${a.url}/`, cookie);
    assert.deepEqual([r.status, r.body.source, r.body.action], [200, "server", "allow"], JSON.stringify(r.body));
    r = await get(`${a.url}/`, cookie);
    assert.equal(r.body.source, "cache", "the second read within 10 s is cached");
    logged.length = 0;
    r = await get(`${a.url}/admin`, cookie);
    assert.equal(r.status, 403);
    assert.equal(logged.length, 1, logged.join("\n"));
    assert.match(logged[0], /^botect: block \/admin /);
    assert.ok(!logged[0].includes(session) && !logged[0].includes(privateKey), "no session token or key in the log");
    assert.equal(r.headers.get("cache-control"), "no-store");
    r = await get(`${a.url}/slow`, cookie);
    assert.deepEqual([r.status, r.headers.get("retry-after")], [429, "5"]);
    r = await get(`${a.url}/challenge`, cookie);
    assert.deepEqual([r.status, r.body.action], [200, "challenge"], "challenge passes through by default");
    r = await get(`${a.url}/orders/42`, cookie);
    assert.equal(r.status, 403, "the rule on the route template /orders/:id matched /orders/42");
    r = await get(`${a.url}/`, cookie, "6.6.6.6, 198.51.100.7");
    assert.equal(r.status, 403, "the rightmost forwarded address is the visitor's");
    r = await get(`${a.url}/admin`);
    assert.deepEqual([r.status, r.body.source], [200, "no_session"]);
  } finally {
    a.close();
  }
  // Without trusted proxies X-Forwarded-For is ignored; a challenge hook answers instead.
  const b = await app({ onChallenge: (req, res) => res.status(401).type("text/plain").send("prove it") });
  try {
    assert.equal((await get(`${b.url}/`, cookie, "198.51.100.7")).status, 200);
    const r = await get(`${b.url}/challenge`, cookie);
    assert.deepEqual([r.status, r.body], [401, "prove it"]);
  } finally {
    b.close();
  }
});

test("the Express middleware allows at its deadline when Botect does not answer", async () => {
  const s = await silent();
  const a = await app({ botect: new Botect({ baseUrl: s.url }), deadlineMs: 150 });
  try {
    for (let i = 0; i < 2; i++) {
      const start = Date.now();
      const r = await get(`${a.url}/admin`, `botect_session=${session}`);
      assert.deepEqual([r.status, r.body.source], [200, "unavailable"], JSON.stringify(r.body));
      assert.ok(Date.now() - start < 1000);
    }
  } finally {
    a.close();
    s.close();
  }
});
