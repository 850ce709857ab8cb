// The botect_session cookie is read at init and reused for the next page's batches.
import assert from "node:assert/strict";
import { test } from "node:test";
import { accepted, fakeBrowser, loadSrc, mockFetch } from "./helpers.mjs";

const env = fakeBrowser({ cookie: "theme=dark; botect_session=sess_fromLastPage_01; other=x" });
const calls = mockFetch(() => accepted("sess_fromLastPage_01"));
const Botect = (await import("../dist/botect.mjs")).default;
Botect.init({ siteKey: "pk_test", endpoint: "https://botect.example" });

test("the cookie's token is reused from the start and sent with the first batch", async () => {
  assert.equal(Botect.getSessionToken(), "sess_fromLastPage_01");
  await Botect.flush();
  assert.equal(calls.length, 1);
  assert.equal(JSON.parse(calls[0].body).session_token, "sess_fromLastPage_01");
  // Same token back: the cookie is not rewritten.
  assert.equal(env.writes.length, 0);
});

test("a malformed cookie value is ignored", async () => {
  const U = await loadSrc("util");
  const saved = globalThis.document;
  try {
    for (const [cookie, want] of [
      ["botect_session=<script>", null],
      ["botect_session=sess_", null],
      ["xbotect_session=sess_abc", null],
      ["a=1;botect_session=sess_ok-_9", "sess_ok-_9"],
      ["", null],
    ]) {
      globalThis.document = { cookie };
      assert.equal(U.readCookie(), want, cookie);
    }
  } finally {
    globalThis.document = saved;
  }
});
