// The hand-written protobuf encoder/decoder and gRPC-web framing (src/proto.ts).
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { decodeRequest, encodeChallenge, loadSrc } from "./helpers.mjs";

let P;
before(async () => {
  P = await loadSrc("proto");
});

const hex = (b) => Buffer.from(b).toString("hex");

test("known byte vector: token, one page event, a bool in the Struct", () => {
  const b = P.encodeRequest("s", [{ request_id: "r", type: "page", received_at: "t", payload: { k: true } }]);
  // 0a 01 73                       session_token = "s"
  // 12 13                          events (19 bytes):
  //   0a 01 72                       request_id = "r"
  //   10 06                          type = page (6)
  //   1a 01 74                       received_at = "t"
  //   22 09 0a 07                    payload Struct, fields entry (7 bytes):
  //     0a 01 6b 12 02 20 01           key "k", Value { bool_value = true }
  assert.equal(hex(b), "0a0173" + "1213" + "0a0172" + "1006" + "1a0174" + "2209" + "0a07" + "0a016b" + "12022001");
});

test("known byte vector: no token, a double and a null", () => {
  const b = P.encodeRequest(null, [{ request_id: "r", type: "mouse", received_at: "t", payload: { n: 1.5, z: null } }]);
  // double 1.5 = 0x3ff8000000000000, little-endian; null_value = 0
  const n = "0a016e" + "1209" + "11" + "000000000000f83f";
  const z = "0a017a" + "1202" + "0800";
  const struct = "0a0e" + n + "0a07" + z;
  const ev = "0a0172" + "1001" + "1a0174" + "22" + (struct.length / 2).toString(16).padStart(2, "0") + struct;
  assert.equal(hex(b), "12" + (ev.length / 2).toString(16) + ev);
});

test("encode → decode round trip of a request with a nested Struct payload", () => {
  const events = [
    {
      request_id: "0b6c9a1e-4f3d-4c2a-9d7e-2a1b3c4d5e6f",
      type: "js_probe",
      received_at: "2026-08-25T00:07:35.650Z",
      payload: { webdriver: false, headless: true, native_tampered: 3, languages: ["en-US", "de"], plugins: [], ua_hash: "c1a562e6322ec49ba897d20fdc725579" },
    },
    {
      request_id: "a_b-c",
      type: "snapshot",
      received_at: "2026-06-14T10:00:00Z",
      payload: { total_ms: 123456789, n: -0.125, big: 2 ** 40, s: "ünïcødé ✓", nested: { list: [1, "two", null, { three: [true] }] } },
    },
    { request_id: "x", type: "mouse", received_at: "2026-06-14T10:00:00Z", payload: {} },
  ];
  for (const token of [null, "sess_abcdefghijklmnopqrstuvwxyz012345"]) {
    const decoded = decodeRequest(P.encodeRequest(token, events));
    assert.deepEqual(decoded, { session_token: token, events });
  }
  for (const t of P.TYPES) {
    const [e] = decodeRequest(P.encodeRequest(null, [{ request_id: "r", type: t, received_at: "t", payload: {} }])).events;
    assert.equal(e.type, t);
  }
});

test("integrity is field 4: Integrity { challenge = 1, nonce = 2 }", () => {
  const ev = [{ request_id: "r", type: "page", received_at: "t", payload: {} }];
  const b = P.encodeRequest(null, ev, { challenge: "c", nonce: "42" });
  // 12 0b ...event... then 22 07 (field 4, 7 bytes): 0a 01 63 ("c"), 12 02 34 32 ("42")
  assert.equal(hex(b).slice(-18), "2207" + "0a0163" + "12023432");
  assert.deepEqual(decodeRequest(b), { integrity: { challenge: "c", nonce: "42" }, session_token: null, events: ev });
  // Absent: nothing is written.
  assert.equal(hex(P.encodeRequest(null, ev)), hex(b).slice(0, -18));
  assert.equal(hex(P.encodeRequest(null, ev, undefined)), hex(P.encodeRequest(null, ev)));
});

test("Challenge decoding, with unknown fields skipped", () => {
  const c = { challenge: "v1." + "a".repeat(200), algorithm: "SHA-256", difficulty: 300, expires_at: "2026-06-14T10:05:00Z" };
  const b = encodeChallenge(c);
  assert.deepEqual(P.decodeChallenge(b), c);
  assert.deepEqual(P.decodeChallenge(new Uint8Array([...b, 0x48, 0x07, 0x52, 0x01, 0x78])), c);
  // difficulty 0 is the default (not on the wire).
  assert.deepEqual(P.decodeChallenge(encodeChallenge({ ...c, difficulty: 0 })), { ...c, difficulty: 0 });
  assert.deepEqual(P.decodeChallenge(new Uint8Array(0)), { challenge: "", algorithm: "", difficulty: 0, expires_at: "" });
});

test("long strings use multi-byte varint lengths", () => {
  const s = "x".repeat(300);
  const d = decodeRequest(P.encodeRequest(s, [{ request_id: "r", type: "page", received_at: "t", payload: { page_path_shape: s } }]));
  assert.equal(d.session_token, s);
  assert.equal(d.events[0].payload.page_path_shape, s);
});

test("response decoding, with unknown fields skipped", () => {
  // session_token "sess_x", accepted 300 (varint ac 02), duplicates 1, over_quota true,
  // plus an unknown fixed64 field 9 and an unknown string field 10.
  const b = Buffer.from("0a0673657373" + "5f78" + "10ac02" + "1801" + "2001" + "490102030405060708" + "5202" + "6869", "hex");
  assert.deepEqual(P.decodeResponse(new Uint8Array(b)), { session_token: "sess_x", accepted: 300, duplicates: 1, over_quota: true });
  assert.deepEqual(P.decodeResponse(new Uint8Array(0)), { session_token: "", accepted: 0, duplicates: 0 });
});

test("gRPC-web framing: data frame and trailers frame", () => {
  const msg = new Uint8Array([1, 2, 3]);
  const f = P.frame(msg);
  assert.equal(hex(f), "0000000003010203");
  const trailer = new TextEncoder().encode("grpc-status:0\r\ngrpc-message:\r\nX-Extra: a:b\r\n");
  const t = new Uint8Array(5 + trailer.length);
  t[0] = 0x80;
  new DataView(t.buffer).setUint32(1, trailer.length);
  t.set(trailer, 5);
  const body = new Uint8Array([...f, ...t]);
  const u = P.unframe(body);
  assert.deepEqual([...u.msg], [1, 2, 3]);
  assert.deepEqual(u.trailers, { "grpc-status": "0", "grpc-message": "", "x-extra": "a:b" });
  // Trailers-only (error) responses carry no data frame.
  assert.equal(P.unframe(t).msg, undefined);
});
