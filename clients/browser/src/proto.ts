/**
 * A tiny protobuf encoder for `botect.v1.IngestEventsRequest` (proto/botect/v1/ingest.proto),
 * decoders for `IngestEventsResponse` and `Challenge`, and gRPC-web framing.
 *
 * IngestEventsRequest: session_token = 1 (optional string), events = 2 (repeated Event),
 * integrity = 4 (optional Integrity: challenge = 1, nonce = 2).
 * Event: request_id = 1, type = 2 (EventType enum), received_at = 3, payload = 4 (Struct).
 * Struct: fields = 1 (map<string, Value>: entry key = 1, value = 2).
 * Value: null_value = 1, number_value = 2 (double), string_value = 3, bool_value = 4,
 * struct_value = 5, list_value = 6 (ListValue: values = 1).
 * IngestEventsResponse: session_token = 1, accepted = 2, duplicates = 3, over_quota = 4.
 * Challenge: challenge = 1, algorithm = 2, difficulty = 3 (uint32), expires_at = 4.
 * (CreateChallengeRequest is sent empty: the site key goes in the header.)
 */

export type Json = null | number | string | boolean | Json[] | { [k: string]: Json };
export type EventType = "mouse" | "scroll" | "visibility" | "first_input" | "js_probe" | "page" | "snapshot";
export const TYPES: EventType[] = ["mouse", "scroll", "visibility", "first_input", "js_probe", "page", "snapshot"];

export interface Event {
  request_id: string;
  type: EventType;
  received_at: string;
  payload: { [k: string]: Json };
}

/** A solved challenge, sent as the request's `integrity`. */
export interface Integrity {
  challenge: string;
  nonce: string;
}

/** A proof-of-work challenge from `CreateChallenge` (`POST /v1/challenges`). */
export interface Challenge {
  challenge: string;
  algorithm: string;
  difficulty: number;
  expires_at: string;
}

export interface IngestResponse {
  session_token: string;
  accepted: number;
  duplicates: number;
  over_quota?: boolean;
  /** The server shed the batch under overload: nothing stored, not to be retried. */
  shed?: boolean;
}

type Out = number[];

const utf8 = (s: string) => new TextEncoder().encode(s);

function varint(o: Out, n: number): void {
  while (n > 127) {
    o.push((n & 127) | 128);
    n >>>= 7;
  }
  o.push(n);
}

const tag = (o: Out, field: number, wire: number) => varint(o, (field << 3) | wire);

function bytes(o: Out, field: number, b: ArrayLike<number>): void {
  tag(o, field, 2);
  varint(o, b.length);
  for (let i = 0; i < b.length; i++) o.push(b[i]);
}

const str = (o: Out, field: number, s: string) => bytes(o, field, utf8(s));

function value(v: Json): Out {
  const o: Out = [];
  if (v === null) {
    tag(o, 1, 0);
    o.push(0);
  } else if (typeof v == "number") {
    tag(o, 2, 1);
    const d = new DataView(new ArrayBuffer(8));
    d.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) o.push(d.getUint8(i));
  } else if (typeof v == "string") str(o, 3, v);
  else if (typeof v == "boolean") {
    tag(o, 4, 0);
    o.push(+v);
  } else if (Array.isArray(v)) {
    const l: Out = [];
    for (const x of v) bytes(l, 1, value(x));
    bytes(o, 6, l);
  } else bytes(o, 5, struct(v));
  return o;
}

function struct(obj: { [k: string]: Json }): Out {
  const o: Out = [];
  for (const k in obj) {
    const e: Out = [];
    str(e, 1, k);
    bytes(e, 2, value(obj[k]));
    bytes(o, 1, e);
  }
  return o;
}

/** Encodes an IngestEventsRequest (session_token omitted when null, integrity when absent). */
export function encodeRequest(token: string | null, events: Event[], integrity?: Integrity): Uint8Array {
  const o: Out = [];
  if (token != null) str(o, 1, token);
  for (const e of events) {
    const m: Out = [];
    str(m, 1, e.request_id);
    tag(m, 2, 0);
    varint(m, TYPES.indexOf(e.type) + 1);
    str(m, 3, e.received_at);
    bytes(m, 4, struct(e.payload));
    bytes(o, 2, m);
  }
  if (integrity) {
    const m: Out = [];
    str(m, 1, integrity.challenge);
    str(m, 2, integrity.nonce);
    bytes(o, 4, m);
  }
  return new Uint8Array(o);
}

/** The scalar fields of a message by number (last one wins): varints as numbers, length-delimited as UTF-8. */
function fields(b: Uint8Array): Record<number, any> {
  const r: Record<number, any> = {};
  let i = 0;
  const rd = () => {
    let n = 0;
    let s = 1;
    let c: number;
    do {
      c = b[i++];
      n += (c & 127) * s;
      s *= 128;
    } while (c & 128);
    return n;
  };
  while (i < b.length) {
    const k = rd();
    const f = k >>> 3;
    const w = k & 7;
    if (w == 0) r[f] = rd();
    else if (w == 2) {
      const l = rd();
      r[f] = new TextDecoder().decode(b.subarray(i, i + l));
      i += l;
    } else if (w == 1) i += 8;
    else if (w == 5) i += 4;
    else throw new Error("bad wire type " + w);
  }
  return r;
}

/** Decodes an IngestEventsResponse; unknown fields are skipped. */
export function decodeResponse(b: Uint8Array): IngestResponse {
  const m = fields(b);
  const r: IngestResponse = { session_token: m[1] || "", accepted: m[2] || 0, duplicates: m[3] || 0 };
  if (4 in m) r.over_quota = !!m[4];
  if (5 in m) r.shed = !!m[5];
  return r;
}

/** Decodes a Challenge; unknown fields are skipped. */
export function decodeChallenge(b: Uint8Array): Challenge {
  const m = fields(b);
  return { challenge: m[1] || "", algorithm: m[2] || "", difficulty: m[3] || 0, expires_at: m[4] || "" };
}

/** One gRPC-web data frame: flag 0, 4-byte big-endian length, the message. */
export function frame(msg: Uint8Array): Uint8Array {
  const f = new Uint8Array(msg.length + 5);
  new DataView(f.buffer).setUint32(1, msg.length);
  f.set(msg, 5);
  return f;
}

/** Splits a gRPC-web response body into its data message and its trailers (flag 0x80). */
export function unframe(b: Uint8Array): { msg?: Uint8Array; trailers: Record<string, string> } {
  const out: { msg?: Uint8Array; trailers: Record<string, string> } = { trailers: {} };
  let i = 0;
  while (i + 5 <= b.length) {
    const len = new DataView(b.buffer, b.byteOffset + i + 1, 4).getUint32(0);
    const body = b.subarray(i + 5, i + 5 + len);
    if (b[i] & 128) {
      for (const line of new TextDecoder().decode(body).split("\r\n")) {
        const j = line.indexOf(":");
        if (j > 0) out.trailers[line.slice(0, j).trim().toLowerCase()] = line.slice(j + 1).trim();
      }
    } else out.msg = body;
    i += 5 + len;
  }
  return out;
}
