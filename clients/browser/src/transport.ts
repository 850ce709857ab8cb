/** Sends one batch over REST (`POST /v1/events`) or gRPC-web (`IngestService/IngestEvents`). */
import { type Event, encodeRequest, decodeResponse, frame, unframe } from "./proto";

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
 * One attempt. Resolves with the session token of the answer; rejects with a {@link Failure}
 * for an HTTP/gRPC error, or with the fetch error (network failure, retryable).
 */
export async function send(c: Config, b: Batch, keepalive = false): Promise<string> {
  const h: Record<string, string> = { "x-botect-site-key": c.siteKey, "idempotency-key": b.key };
  let path = "/v1/events";
  if (c.grpc) {
    h["content-type"] = "application/grpc-web+proto";
    h["x-grpc-web"] = "1";
    path = "/botect.v1.IngestService/IngestEvents";
    b.body ||= frame(encodeRequest(b.token, b.events));
  } else {
    h["content-type"] = "application/json";
    b.body ||= JSON.stringify({ session_token: b.token, events: b.events });
  }
  const r = await fetch(c.endpoint + path, {
    method: "POST",
    headers: h,
    body: b.body as BodyInit,
    keepalive,
    credentials: "omit",
  });
  const s = r.status;
  if (s >= 300) throw { retry: s >= 500 || s == 408 || s == 429, status: s } as Failure;
  if (!c.grpc) return (await r.json()).session_token;
  const { msg, trailers } = unframe(new Uint8Array(await r.arrayBuffer()));
  const g = r.headers.get("grpc-status") || trailers["grpc-status"];
  if (g != "0") throw { retry: !g || GRPC_RETRY.includes(+g), status: "grpc-status " + g } as Failure;
  return decodeResponse(msg || new Uint8Array(0)).session_token;
}
