// The proof of work over gRPC-web (no Worker here: solved on the main thread in slices):
// CreateChallenge, then IngestEventsRequest field 4 on every attempt of the first batch.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CHALLENGE, challengeReply, decodeRequest, fakeBrowser, grpcReply, mockFetch, smallestNonce } from "./helpers.mjs";

fakeBrowser();
const LONG = CHALLENGE + "." + CHALLENGE; // 201 bytes: three cached blocks
const ok = (token) => {
  const t = new TextEncoder().encode(token);
  return grpcReply(new Uint8Array([0x0a, t.length, ...t, 0x10, 2]));
};
const unavailable = () =>
  new Response(new Uint8Array(0), { status: 200, headers: { "content-type": "application/grpc-web+proto", "grpc-status": "14" } });
const calls = mockFetch((c, n) => (n === 1 ? unavailable() : ok("sess_grpc_pow")), {
  challenge: (c) => challengeReply(c, { challenge: LONG, difficulty: 12 }),
});
const Botect = (await import("../dist/botect.mjs")).default;
Botect.init({ siteKey: "pk_grpc", endpoint: "http://127.0.0.1:9", transport: "grpc-web" });

const unframe = (body) => {
  assert.equal(body[0], 0);
  assert.equal(new DataView(body.buffer, body.byteOffset + 1, 4).getUint32(0), body.length - 5);
  return body.subarray(5);
};

test("CreateChallenge is an empty message with the site key header", async () => {
  await Botect.flush();
  assert.equal(calls.challenges.length, 1);
  const ch = calls.challenges[0];
  assert.equal(ch.url, "http://127.0.0.1:9/botect.v1.IngestService/CreateChallenge");
  assert.equal(ch.method, "POST");
  assert.equal(ch.headers["content-type"], "application/grpc-web+proto");
  assert.equal(ch.headers["x-grpc-web"], "1");
  assert.equal(ch.headers["x-botect-site-key"], "pk_grpc");
  assert.equal(ch.credentials, "omit");
  assert.deepEqual([...ch.body], [0, 0, 0, 0, 0], "a data frame holding a zero-length CreateChallengeRequest");
});

test("the first batch's IngestEventsRequest has integrity (field 4), also on the retry", async () => {
  assert.equal(calls.length, 2);
  const [a, b] = calls;
  assert.equal(a.url, "http://127.0.0.1:9/botect.v1.IngestService/IngestEvents");
  assert.equal(b.headers["idempotency-key"], a.headers["idempotency-key"]);
  assert.deepEqual([...b.body], [...a.body]);
  const req = decodeRequest(unframe(a.body));
  assert.deepEqual(req.integrity, { challenge: LONG, nonce: smallestNonce(LONG, 12) });
  assert.deepEqual(req.events.map((e) => e.type).sort(), ["js_probe", "page"]);
  assert.equal(Botect.getSessionToken(), "sess_grpc_pow");

  document.dispatchEvent(new Event("click"));
  await Botect.flush();
  assert.equal(decodeRequest(unframe(calls.at(-1).body)).integrity, undefined);
  assert.equal(calls.challenges.length, 1);
});
