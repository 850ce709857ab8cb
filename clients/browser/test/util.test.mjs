// SHA-256 (ua_hash, page_path_hash), path shapes, ids.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { before, test } from "node:test";
import { loadSrc } from "./helpers.mjs";

let U;
before(async () => {
  U = await loadSrc("util");
});

test("sha256 matches node:crypto, across block boundaries and UTF-8", () => {
  const inputs = ["", "abc", "/", "/users/12345/profile", "ü✓😀", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36"];
  for (let n = 50; n < 140; n++) inputs.push("a".repeat(n));
  for (const s of inputs) assert.equal(U.sha256(s), createHash("sha256").update(s, "utf8").digest("hex"), JSON.stringify(s));
});

test("path shape: ids become :id, at most 64 characters, no digits left", () => {
  assert.equal(U.pathShape("/"), "/");
  assert.equal(U.pathShape("/users/12345/profile"), "/users/:id/profile");
  assert.equal(U.pathShape("/orders/a1b2c3/items/"), "/orders/:id/items/");
  assert.equal(U.pathShape("/u/jane@example.com"), "/u/:id");
  assert.equal(U.pathShape("/p/%C3%BCber"), "/p/:id");
  assert.equal(U.pathShape("/t/abcdefghijklmnopqrstuvwxyz"), "/t/:id");
  assert.equal(U.pathShape("/a".repeat(50)).length, 64);
});

test("uid: UUID-shaped and valid request_ids, also without crypto.randomUUID", () => {
  const re = /^[A-Za-z0-9_-]{1,128}$/;
  assert.match(U.uid(), re);
  if (!globalThis.crypto) return; // Node 18: no global crypto, the fallback was just used
  const saved = globalThis.crypto.randomUUID;
  try {
    Object.defineProperty(globalThis.crypto, "randomUUID", { value: undefined, configurable: true });
    const id = U.uid();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(U.uid(), id);
  } finally {
    Object.defineProperty(globalThis.crypto, "randomUUID", { value: saved, configurable: true });
  }
});
