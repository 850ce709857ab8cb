/**
 * The SDK's state machine: the event queue, batching, delivery with retries, the session
 * token and its cookie, the periodic flush and the last batch on pagehide.
 *
 * Delivery is serial: one batch at a time (the first batch mints the session, later ones
 * reuse it). A batch is formed from up to 100 queued events, gets a new Idempotency-Key and
 * a frozen body, and is retried with the same key and body on network failure, HTTP
 * 5xx/408/429 or a retryable gRPC status, with exponential backoff (0.5 s, 1 s, 2 s, 4 s,
 * ± jitter; 5 attempts). A batch still failing stays at the head of the queue and is tried
 * again (same key) on the next tick. A batch refused for good (4xx) is dropped, and so is
 * one the server shed under overload (REST 204, gRPC `shed`: nothing stored, never retried).
 *
 * Proof of work: at init a challenge is fetched and solved (pow.ts: a Web Worker, else
 * main-thread slices) while the page runs. The solution goes, as the body's `integrity`,
 * with the first batch formed once it is ready; the page's first batch and `flush` wait up to
 * 3 s for it (then go without, and a later batch carries it). A failed fetch is retried on
 * later ticks, at most 3 fetches per page. Once a batch with the proof is acknowledged the
 * session is proven: no more challenges in this page, and none on the next pages of the tab
 * while the session token stays the same (sessionStorage `botect_proof`).
 */
import { probe } from "./probes";
import { solve } from "./pow";
import type { Challenge, Event, EventType, Integrity, Json } from "./proto";
import { collect, listen } from "./signals";
import { type Batch, type Config, type Failure, challenge, route, send } from "./transport";
import { TOKEN_RE, pathShape, readCookie, sha256, uid, writeCookie } from "./util";

declare const __VERSION__: string;
/** The SDK version, sent as `collector_version`. */
export const VERSION: string = __VERSION__;

export interface Options {
  /** The project's public site key, `pk_…`. */
  siteKey: string;
  /**
   * The Botect server, e.g. `https://botect.example.com`; or a full events URL: Botect's own
   * (`…/v1/events`) or a same-site relay of the official server SDK
   * (`/_botect/events?page_token=…`: the hosted collector's vocabulary only, no proof of
   * work, the page's cookies sent). Default: the origin the SDK was loaded from.
   */
  endpoint?: string;
  /** `rest` (default) or `grpc-web`. */
  transport?: "rest" | "grpc-web";
}

const TICK_MS = 3000;
const SNAPSHOT_EVERY = 5;
const MAX_EVENTS = 100;
const ATTEMPTS = 5;
/** How long the first batch and `flush` wait for a challenge's fetch and solve. */
const WAIT_MS = 3000;
/** A challenge fetch unanswered after this long counts as failed (and is retried on a tick). */
const FETCH_MS = 10000;
const MAX_FETCHES = 3;
const PROOF_KEY = "botect_proof";

interface Item {
  s: number;
  e: Event;
}
interface B extends Batch {
  items: Item[];
  done?: boolean;
  unload?: boolean;
}

let cfg: Config | null = null;
let defaultEndpoint = "";
let token: string | null = null;
let seq = 0;
let ticks = 0;
let queue: Item[] = [];
let head: B | null = null;
const open = new Set<B>();
const unloads = new Set<Promise<void>>();
let pumping: Promise<void> | null = null;
let probing: Promise<void> | null = null;
/** No batch formed yet in this page. */
let first = true;
/** A solved challenge not yet acknowledged, and when to stop offering it (its expiry, 10 s early). */
let proof: { i: Integrity; exp: number } | null = null;
/** The batch carrying `proof`. */
let carrier: B | null = null;
/** A proof was acknowledged for this session: no more challenges. */
let proven = false;
/** The challenge fetch + solve under way. */
let solving: Promise<void> | null = null;
let fetches = 0;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const noop = () => {};
/** Settles like `p`, or rejects (resolves, with `ok`) after `ms`, whichever comes first. */
const within = <T>(p: Promise<T>, ms: number, ok?: boolean) =>
  new Promise<T | void>((res, rej) => {
    const t = setTimeout(ok ? res : rej, ms);
    p.then(res, rej).finally(() => clearTimeout(t));
  });
/** Waits for the solve under way, at most WAIT_MS. */
const waitSolve = () => solving && within(solving, WAIT_MS, true);

/** Sets the endpoint used when `init` gets none (the script's own origin). */
export function setDefaultEndpoint(url: string): void {
  if (/^https?:/.test(url)) defaultEndpoint = new URL(url).origin;
}

function push(type: EventType, payload: { [k: string]: Json }): void {
  queue.push({ s: ++seq, e: { request_id: uid(), type, received_at: new Date().toISOString(), payload } });
}

/** Fetches a challenge and solves it, unless proven, already solved or solving, or out of fetches. */
function prove(): void {
  // A relay passes no proof: the backend's page hits stand in for it.
  if (cfg!.relay || proven || proof || solving || fetches >= MAX_FETCHES) return;
  fetches++;
  const t0 = Date.now();
  solving = within(challenge(cfg!), FETCH_MS)
    .then((ch) => {
      const { challenge: c, algorithm, difficulty, expires_at } = (ch || {}) as Challenge;
      const d = +(difficulty || 0);
      // An algorithm or difficulty this SDK cannot solve: no proof, no more fetches.
      if (!c || typeof c != "string" || algorithm != "SHA-256" || !(d >= 0 && d <= 32 && d % 1 == 0)) fetches = MAX_FETCHES;
      else {
        const exp = Date.parse(expires_at);
        return solve(c, d).then((nonce) => {
          // A clock that already sees the challenge expired is off: ignore the expiry then.
          proof = { i: { challenge: c, nonce }, exp: exp > t0 ? exp - 10000 : 1 / 0 };
        });
      }
    })
    .catch(noop)
    .finally(() => (solving = null));
}

function batch(items: Item[]): B {
  if (!token) token = readCookie();
  const b: B = { key: uid(), token, events: items.map((i) => i.e), items };
  first = false;
  if (proof && !carrier) {
    if (Date.now() > proof.exp) proof = null;
    else {
      b.integrity = proof.i;
      carrier = b;
    }
  }
  open.add(b);
  return b;
}

/** Closes a batch: `ok` when acknowledged (`t`: the answer's session token). */
function settle(b: B, ok: boolean, t?: string): void {
  if (b.done) return;
  b.done = true;
  open.delete(b);
  if (t && TOKEN_RE.test(t) && t != token) {
    token = t;
    writeCookie(t);
  }
  if (b == carrier) {
    // Refused or lost: the proof goes with the next batch.
    carrier = null;
    if (ok) {
      proven = true;
      proof = null;
      try {
        if (token) sessionStorage.setItem(PROOF_KEY, token);
      } catch {
        /* no storage */
      }
    }
  }
}

async function deliver(b: B): Promise<void> {
  for (let a = 1; !b.done; a++) {
    try {
      const t = await send(cfg!, b);
      // Shed (null): nothing stored; dropped, never retried (its proof goes with the next batch).
      settle(b, t !== null, t ?? undefined);
    } catch (e) {
      if (e && (e as Failure).retry === false) {
        settle(b, false);
        throw e;
      }
      if (a >= ATTEMPTS) throw e;
      await sleep(Math.min(8000, 250 * 2 ** a) * (0.5 + Math.random() / 2));
    }
  }
}

async function run(): Promise<void> {
  while (head || queue.length) {
    if (!head && first && solving) {
      // The page's first batch waits (a bounded time) for the proof.
      first = false;
      await waitSolve();
      continue;
    }
    const b = (head ||= batch(queue.splice(0, MAX_EVENTS)));
    try {
      await deliver(b);
    } finally {
      if (b.done) head = null;
    }
  }
}

/** Delivers the queue, one batch at a time; concurrent calls share one run. */
function pump(): Promise<void> {
  if (!pumping) pumping = run().finally(() => (pumping = null));
  return pumping;
}

function cut(snap: boolean, gap?: number): void {
  for (const [t, p] of collect(snap, gap)) {
    if (t == "snapshot") p.collector_version = VERSION;
    push(t, p);
  }
}

function tick(): void {
  cut(++ticks % SNAPSHOT_EVERY == 0);
  prove();
  if (queue.length || head) pump().catch(noop);
}

/** Page hidden or unloading: everything not yet acknowledged goes out with `keepalive`. */
function unload(): void {
  cut(true, 1000);
  const bs: B[] = [];
  while (queue.length) bs.push(batch(queue.splice(0, MAX_EVENTS)));
  // The batch in flight may be cancelled by the unload: send it again, same key and body.
  if (head && !head.unload) bs.unshift(head);
  for (const b of bs) {
    b.unload = true;
    const p: Promise<void> = send(cfg!, b, true)
      .then(
        (t) => settle(b, t !== null, t ?? undefined),
        (e) => {
          if (b == head || b.done) return;
          settle(b, false);
          // Not refused: back to the queue (a new batch, request_ids de-duplicate).
          if (!e || (e as Failure).retry !== false) {
            queue.unshift(...b.items);
            queue.sort((x, y) => x.s - y.s);
          }
        },
      )
      .finally(() => unloads.delete(p));
    unloads.add(p);
  }
}

/** Starts the SDK (once; later calls are ignored). */
export function init(o: Options): void {
  if (cfg || !o || !o.siteKey) return;
  const at = route(o.endpoint || defaultEndpoint || location.origin, (location as any).href || location.origin + "/", location.origin);
  cfg = {
    siteKey: o.siteKey,
    ...at,
    grpc: !at.relay && o.transport == "grpc-web",
  };
  token = readCookie();
  try {
    proven = !!token && sessionStorage.getItem(PROOF_KEY) == token;
  } catch {
    /* no storage */
  }
  prove();
  const path = location.pathname || "/";
  push("page", { collector_version: VERSION, page_path_hash: sha256(path).slice(0, 16), page_path_shape: pathShape(path) });
  listen(unload);
  const t: any = setInterval(tick, TICK_MS);
  if (t.unref) t.unref();
  const start = () => {
    probing = probe(VERSION).then((p) => {
      push("js_probe", p);
      pump().catch(noop);
    }, noop);
  };
  if (document.readyState == "complete") start();
  else addEventListener("load", () => setTimeout(start), { once: true });
}

/**
 * Resolves once every event collected so far (including the current window's aggregates and
 * a started `js_probe`) is acknowledged by the server, with the proof of work when a solve is
 * under way (waited for up to 3 s); rejects if a batch was refused (4xx) or is still failing
 * after its retries (it stays queued and is retried later).
 */
export async function flush(): Promise<void> {
  if (!cfg) return;
  cut(true);
  if (probing) await probing;
  await waitSolve();
  // A proof with nothing to go with: a snapshot carries it.
  if (proof && !carrier && !queue.length) cut(true, 0);
  const target = seq;
  const pending = () =>
    !!carrier || queue.some((i) => i.s <= target) || [...open].some((b) => b.items.some((i) => i.s <= target));
  while (pending()) await Promise.all([pump(), ...unloads]);
}

/** The session token (from the `botect_session` cookie or the server), or null before the first answer. */
export const getSessionToken = (): string | null => token;
