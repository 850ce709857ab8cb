// A session proven on an earlier page of the tab (sessionStorage botect_proof = the cookie's
// token) fetches no challenge; another token does.
import assert from "node:assert/strict";
import { test } from "node:test";
import { accepted, fakeBrowser, mockFetch } from "./helpers.mjs";

const env = fakeBrowser({ cookie: "botect_session=sess_proven_01", session: { botect_proof: "sess_proven_01" } });
const calls = mockFetch(() => accepted("sess_proven_01"));

test("same session token: no challenge, no proof", async () => {
  const Botect = (await import("../dist/botect.mjs?proven")).default;
  Botect.init({ siteKey: "pk_test", endpoint: "https://botect.example" });
  await Botect.flush();
  assert.equal(calls.challenges.length, 0);
  assert.equal(calls.length, 1);
  const body = JSON.parse(calls[0].body);
  assert.equal(body.session_token, "sess_proven_01");
  assert.equal("integrity" in body, false);
});

test("another session's token in sessionStorage: a challenge is fetched and the proof sent", async () => {
  env.storage.set("botect_proof", "sess_other_01");
  const Botect = (await import("../dist/botect.mjs?other")).default;
  Botect.init({ siteKey: "pk_test", endpoint: "https://botect.example" });
  await Botect.flush();
  assert.equal(calls.challenges.length, 1);
  const body = JSON.parse(calls.at(-1).body);
  assert.ok(body.integrity);
  assert.equal(env.storage.get("botect_proof"), "sess_proven_01");
});

test("no sessionStorage (blocked storage throws): still works, challenge fetched", async () => {
  Object.defineProperty(globalThis, "sessionStorage", {
    get() {
      throw new DOMException("denied", "SecurityError");
    },
    configurable: true,
  });
  const Botect = (await import("../dist/botect.mjs?nostorage")).default;
  Botect.init({ siteKey: "pk_test", endpoint: "https://botect.example" });
  await Botect.flush();
  assert.equal(calls.challenges.length, 2);
  assert.ok(JSON.parse(calls.at(-1).body).integrity);
});
