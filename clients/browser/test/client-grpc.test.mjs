// dist/botect.mjs over gRPC-web: framing, metadata headers, status in trailers or headers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeRequest, fakeBrowser, grpcReply, mockFetch } from "./helpers.mjs";

/** A gRPC-web answer: IngestEventsResponse{session_token, accepted} + trailers frame. */
function grpcOk(token, accepted = 1) {
  const t = new TextEncoder().encode(token);
  const msg = [0x0a, t.length, ...t, 0x10, accepted];
  const trailer = new TextEncoder().encode("grpc-status:0\r\ngrpc-message:\r\n");
  const frame = (flag, b) => [flag, 0, 0, (b.length >> 8) & 255, b.length & 255, ...b];
  return new Response(new Uint8Array([...frame(0, msg), ...frame(0x80, trailer)]), {
    status: 200,
    headers: { "content-type": "application/grpc-web+proto" },
  });
}
/** A trailers-only error: grpc-status in the response headers. */
const grpcError = (code) =>
  new Response(new Uint8Array(0), { status: 200, headers: { "content-type": "application/grpc-web+proto", "grpc-status": String(code), "grpc-message": "x" } });

fakeBrowser();
let respond = (c, n) => (n === 1 ? grpcError(14) : grpcOk("sess_grpc_1", 2));
const calls = mockFetch((c, n) => respond(c, n));
const Botect = (await import("../dist/botect.mjs")).default;
Botect.init({ siteKey: "pk_grpc", endpoint: "http://127.0.0.1:9", transport: "grpc-web" });

/** The request message inside a gRPC-web request body. */
function unframeRequest(body) {
  assert.equal(body[0], 0, "uncompressed data frame");
  const len = new DataView(body.buffer, body.byteOffset + 1, 4).getUint32(0);
  assert.equal(body.length, len + 5);
  return decodeRequest(body.subarray(5));
}

test("UNAVAILABLE is retried with the same key; the protobuf body carries the events", async () => {
  await Botect.flush();
  assert.equal(calls.length, 2);
  const [a, b] = calls;
  assert.equal(a.url, "http://127.0.0.1:9/botect.v1.IngestService/IngestEvents");
  assert.equal(a.headers["content-type"], "application/grpc-web+proto");
  assert.equal(a.headers["x-grpc-web"], "1");
  assert.equal(a.headers["x-botect-site-key"], "pk_grpc");
  assert.equal(b.headers["idempotency-key"], a.headers["idempotency-key"]);
  assert.deepEqual([...b.body], [...a.body]);
  const req = unframeRequest(a.body);
  assert.equal(req.session_token, null);
  assert.deepEqual(req.events.map((e) => e.type).sort(), ["js_probe", "page"]);
  const probe = req.events.find((e) => e.type === "js_probe").payload;
  assert.deepEqual(probe.plugins, []);
  assert.equal(Botect.getSessionToken(), "sess_grpc_1");
});

test("later batches carry the token; INVALID_ARGUMENT is final", async () => {
  respond = () => grpcOk("sess_grpc_1");
  document.dispatchEvent(new Event("click"));
  await Botect.flush();
  const req = unframeRequest(calls.at(-1).body);
  assert.equal(req.session_token, "sess_grpc_1");
  assert.ok(req.events.some((e) => e.type === "mouse" && e.payload.click_events === 1));

  const before = calls.length;
  respond = () => grpcError(3);
  document.dispatchEvent(new Event("click"));
  await assert.rejects(Botect.flush(), (e) => e.retry === false && /grpc-status 3/.test(e.status));
  assert.equal(calls.length, before + 1);
});

test("a shed answer (OK with shed = true, nothing stored) is not retried; the token stays", async () => {
  respond = () => grpcOk("sess_grpc_1");
  document.dispatchEvent(new Event("click"));
  await Botect.flush();
  const before = calls.length;
  // IngestEventsResponse{shed: true}: field 5, varint 1; no token, nothing accepted.
  const shed = () => grpcReply(new Uint8Array([0x28, 1]));
  respond = shed;
  document.dispatchEvent(new Event("click"));
  await Botect.flush();
  assert.equal(calls.length, before + 1);
  assert.equal(Botect.getSessionToken(), "sess_grpc_1");
  respond = () => grpcOk("sess_grpc_1");
  await Botect.flush();
  assert.equal(calls.length, before + 1, "the shed batch is not sent again");
});
