/**
 * One call over REST or gRPC-web: a batch (`POST /v1/events`, `IngestService/IngestEvents`) or
 * a proof-of-work challenge (`POST /v1/challenges`, `IngestService/CreateChallenge`).
 */
import {
  type Challenge,
  type Event,
  type Integrity,
  decodeChallenge,
  decodeResponse,
  encodeRequest,
  frame,
  unframe,
} from "./proto";

export interface Config {
  siteKey: string;
  /** Origin (and optional path prefix) of the Botect server, without a trailing slash. */
  endpoint: string;
  grpc: boolean;
}

export interface Batch {
  /** The `Idempotency-Key`: new per batch, the same on every retry. */
  key: string;
  /** The session token when the batch was formed (part of the body, so fixed for retries). */
  token: string | null;
  events: Event[];
  /** The solved challenge this batch carries (part of the body, so fixed for retries). */
  integrity?: Integrity;
  /** The encoded body, built once so that every attempt sends identical bytes. */
  body?: string | Uint8Array;
}

/** What a failed attempt throws: `retry` tells whether another attempt may succeed. */
export interface Failure {
  retry: boolean;
  status: number | string;
}

/** gRPC codes worth retrying: UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE. */
const GRPC_RETRY = [2, 4, 8, 10, 13, 14];

/**
 * One POST: `rest` is the REST path, `method` the IngestService method. Resolves with the
 * parsed JSON answer (REST) or the response message (gRPC-web); rejects with a
 * {@link Failure} for an HTTP/gRPC error, or with the fetch error (network failure, retryable).
 */
async function call(c: Config, rest: string, method: string, body: string | Uint8Array, h: Record<string, string>, keepalive = false): Promise<any> {
  h["x-botect-site-key"] = c.siteKey;
  h["content-type"] = c.grpc ? "application/grpc-web+proto" : "application/json";
  if (c.grpc) h["x-grpc-web"] = "1";
  const r = await fetch(c.endpoint + (c.grpc ? "/botect.v1.IngestService/" + method : rest), {
    method: "POST",
    headers: h,
    body: body as BodyInit,
    keepalive,
    credentials: "omit",
  });
  const s = r.status;
  if (s >= 300) throw { retry: s >= 500 || s == 408 || s == 429, status: s } as Failure;
  // 204: shed under overload (nothing stored); the caller drops the batch.
  if (s == 204) return null;
  if (!c.grpc) return r.json();
  const { msg, trailers } = unframe(new Uint8Array(await r.arrayBuffer()));
  const g = r.headers.get("grpc-status") || trailers["grpc-status"];
  if (g != "0") throw { retry: !g || GRPC_RETRY.includes(+g), status: "grpc-status " + g } as Failure;
  return msg || new Uint8Array(0);
}

/**
 * One attempt to deliver a batch; resolves with the session token of the answer, or with
 * `null` when the server shed the batch under overload (REST 204, gRPC `shed`): nothing was
 * stored and the batch is not to be sent again (docs/operations.md#overload).
 */
export async function send(c: Config, b: Batch, keepalive = false): Promise<string | null> {
  b.body ||= c.grpc
    ? frame(encodeRequest(b.token, b.events, b.integrity))
    : JSON.stringify({ session_token: b.token, events: b.events, integrity: b.integrity });
  const r = await call(c, "/v1/events", "IngestEvents", b.body, { "idempotency-key": b.key }, keepalive);
  if (r === null) return null;
  const a = c.grpc ? decodeResponse(r) : r;
  return a.shed ? null : a.session_token;
}

/** Fetches a proof-of-work challenge (an empty `CreateChallengeRequest`: the site key is a header). */
export async function challenge(c: Config): Promise<Challenge> {
  const r = await call(c, "/v1/challenges", "CreateChallenge", c.grpc ? frame(new Uint8Array(0)) : "{}", {});
  return c.grpc ? decodeChallenge(r) : r;
}
