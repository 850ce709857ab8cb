// The classic script (dist/botect.js, the one the server serves) solves in a Web Worker too.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runInThisContext } from "node:vm";
import { CHALLENGE, accepted, fakeBrowser, fakeWorker, mockFetch, root, smallestNonce } from "./helpers.mjs";

fakeBrowser();
const workers = fakeWorker();
const calls = mockFetch(() => accepted("sess_iife_1"));
runInThisContext(readFileSync(join(root, "dist", "botect.js"), "utf8"));

test("window.Botect: the first batch carries the proof solved in the worker", async () => {
  window.Botect.init({ siteKey: "pk_test", endpoint: "https://botect.example" });
  await window.Botect.flush();
  assert.equal(workers.length, 1);
  assert.equal(calls.challenges.length, 1);
  assert.deepEqual(JSON.parse(calls[0].body).integrity, { challenge: CHALLENGE, nonce: smallestNonce(CHALLENGE, 8) });
});
