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
  /**
   * A full events URL that is not Botect's own (`/_botect/events?page_token=…`, the official
   * server SDK's same-site relay): batches go there in the hosted collector's vocabulary, with
   * no proof of work and no challenge.
   */
  relay?: string;
  /** The events URL is on the page's origin: cookies go with the batches. */
  sameOrigin?: boolean;
}

/**
 * The hosted collector's (1.5.0) payload keys: all a relay passes. The SDK's additions
 * (pointer, keyboard and probe aggregates, `ua_hash`) are left out toward one.
 */
const COLLECTOR_KEYS = new Set(
  (
    "mouse_entropy scroll_velocity visibility_changes first_input_delay_ms total_ms visible_ms " +
    "time_to_first_input_ms mouse_moves pointer_moves scroll_events click_events key_events " +
    "scroll_max_depth_pct max_touch_points coarse_pointer js_passed webdriver headless headless_ua " +
    "zero_viewport missing_plugins navigator_anomaly collector_version page_path_hash page_path_shape " +
    "pointer_types languages plugins"
  ).split(" "),
);

/** An event with its payload cut to the collector's vocabulary. */
export function collectorEvent(e: Event): Event {
  const payload: { [k: string]: any } = {};
  for (const k in e.payload) if (COLLECTOR_KEYS.has(k)) payload[k] = (e.payload as any)[k];
  return { ...e, payload };
}

/**
 * Where the SDK sends: `endpoint` is a Botect base URL (`https://botect.example.com`, with an
 * optional path prefix), Botect's own events URL (`…/v1/events`), or another events URL (a
 * same-site relay: its path ends in `/events`, a query allowed). Relative URLs resolve against
 * the page.
 */
export function route(endpoint: string, pageHref: string, pageOrigin: string): Pick<Config, "endpoint" | "relay" | "sameOrigin"> {
  let u: URL | null = null;
  try {
    u = new URL(endpoint, pageHref);
  } catch {
    /* not a URL: used as given */
  }
  if (u && /\/events$/.test(u.pathname)) {
    const sameOrigin = u.origin == pageOrigin;
    if (/\/v1\/events$/.test(u.pathname) && !u.search) {
      return { endpoint: u.origin + u.pathname.replace(/\/v1\/events$/, ""), sameOrigin };
    }
    return { endpoint: u.origin, relay: u.href, sameOrigin };
  }
  return { endpoint: endpoint.replace(/\/+$/, ""), sameOrigin: !!u && u.origin == pageOrigin };
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
  // Toward a relay the site key is in the body, which is all it passes.
  if (!c.relay) h["x-botect-site-key"] = c.siteKey;
  h["content-type"] = c.grpc ? "application/grpc-web+proto" : "application/json";
  if (c.grpc) h["x-grpc-web"] = "1";
  const url = c.relay && rest == "/v1/events" ? c.relay : c.endpoint + (c.grpc ? "/botect.v1.IngestService/" + method : rest);
  const r = await fetch(url, {
    method: "POST",
    headers: h,
    body: body as BodyInit,
    keepalive,
    // The page's own cookies (the backend's session) go to a same-origin endpoint only.
    credentials: c.sameOrigin ? "same-origin" : "omit",
  });
  const s = r.status;
  if (s >= 300) throw { retry: s >= 500 || s == 408 || s == 429, status: s } as Failure;
  // 204: shed under overload (nothing stored); the caller drops the batch.
  if (s == 204) return null;
  if (!c.grpc) {
    // A relay may answer an empty body: acknowledged, no token.
    const text = await r.text();
    return text ? JSON.parse(text) : {};
  }
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
  b.body ||= c.relay
    ? JSON.stringify({ events: b.events.map(collectorEvent), session_token: b.token, site_key: c.siteKey })
    : c.grpc
      ? frame(encodeRequest(b.token, b.events, b.integrity))
      : JSON.stringify({ session_token: b.token, events: b.events, integrity: b.integrity });
  const r = await call(c, "/v1/events", "IngestEvents", b.body, { "idempotency-key": b.key }, keepalive);
  if (r === null) return null;
  const a = c.grpc ? decodeResponse(r) : r;
  return a.shed ? null : a.session_token || "";
}

/** Fetches a proof-of-work challenge (an empty `CreateChallengeRequest`: the site key is a header). */
export async function challenge(c: Config): Promise<Challenge> {
  const r = await call(c, "/v1/challenges", "CreateChallenge", c.grpc ? frame(new Uint8Array(0)) : "{}", {});
  return c.grpc ? decodeChallenge(r) : r;
}
