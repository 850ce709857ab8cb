/**
 * The SDK's state machine: the event queue, batching, delivery with retries, the session
 * token and its cookie, the periodic flush and the last batch on pagehide.
 *
 * Delivery is serial: one batch at a time (the first batch mints the session, later ones
 * reuse it). A batch is formed from up to 100 queued events, gets a new Idempotency-Key and
 * a frozen body, and is retried with the same key and body on network failure, HTTP
 * 5xx/408/429 or a retryable gRPC status, with exponential backoff (0.5 s, 1 s, 2 s, 4 s,
 * ± jitter; 5 attempts). A batch still failing stays at the head of the queue and is tried
 * again (same key) on the next tick. A batch refused for good (4xx) is dropped.
 */
import { probe } from "./probes";
import type { Event, EventType, Json } from "./proto";
import { collect, listen } from "./signals";
import { type Batch, type Config, type Failure, send } from "./transport";
import { TOKEN_RE, pathShape, readCookie, sha256, uid, writeCookie } from "./util";

declare const __VERSION__: string;
/** The SDK version, sent as `collector_version`. */
export const VERSION: string = __VERSION__;

export interface Options {
  /** The project's public site key, `pk_…`. */
  siteKey: string;
  /** The Botect server, e.g. `https://botect.example.com`; default: the origin the SDK was loaded from. */
  endpoint?: string;
  /** `rest` (default) or `grpc-web`. */
  transport?: "rest" | "grpc-web";
}

const TICK_MS = 3000;
const SNAPSHOT_EVERY = 5;
const MAX_EVENTS = 100;
const ATTEMPTS = 5;

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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const noop = () => {};

/** Sets the endpoint used when `init` gets none (the script's own origin). */
export function setDefaultEndpoint(url: string): void {
  if (/^https?:/.test(url)) defaultEndpoint = new URL(url).origin;
}

function push(type: EventType, payload: { [k: string]: Json }): void {
  queue.push({ s: ++seq, e: { request_id: uid(), type, received_at: new Date().toISOString(), payload } });
}

function batch(items: Item[]): B {
  if (!token) token = readCookie();
  const b: B = { key: uid(), token, events: items.map((i) => i.e), items };
  open.add(b);
  return b;
}

function settle(b: B, t?: string): void {
  if (b.done) return;
  b.done = true;
  open.delete(b);
  if (t && TOKEN_RE.test(t) && t != token) {
    token = t;
    writeCookie(t);
  }
}

async function deliver(b: B): Promise<void> {
  for (let a = 1; !b.done; a++) {
    try {
      settle(b, await send(cfg!, b));
    } catch (e) {
      if (e && (e as Failure).retry === false) {
        settle(b);
        throw e;
      }
      if (a >= ATTEMPTS) throw e;
      await sleep(Math.min(8000, 250 * 2 ** a) * (0.5 + Math.random() / 2));
    }
  }
}

async function run(): Promise<void> {
  while (head || queue.length) {
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

function cut(snap: boolean, force?: boolean): void {
  for (const [t, p] of collect(snap, force)) {
    if (t == "snapshot") p.collector_version = VERSION;
    push(t, p);
  }
}

function tick(): void {
  cut(++ticks % SNAPSHOT_EVERY == 0);
  if (queue.length || head) pump().catch(noop);
}

/** Page hidden or unloading: everything not yet acknowledged goes out with `keepalive`. */
function unload(): void {
  cut(true, true);
  const bs: B[] = [];
  while (queue.length) bs.push(batch(queue.splice(0, MAX_EVENTS)));
  // The batch in flight may be cancelled by the unload: send it again, same key and body.
  if (head && !head.unload) bs.unshift(head);
  for (const b of bs) {
    b.unload = true;
    const p: Promise<void> = send(cfg!, b, true)
      .then(
        (t) => settle(b, t),
        (e) => {
          if (b == head || b.done) return;
          settle(b);
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
  cfg = {
    siteKey: o.siteKey,
    endpoint: (o.endpoint || defaultEndpoint || location.origin).replace(/\/+$/, ""),
    grpc: o.transport == "grpc-web",
  };
  token = readCookie();
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
 * a started `js_probe`) is acknowledged by the server; rejects if a batch was refused (4xx)
 * or is still failing after its retries (it stays queued and is retried later).
 */
export async function flush(): Promise<void> {
  if (!cfg) return;
  cut(true);
  if (probing) await probing;
  const target = seq;
  const pending = () =>
    queue.some((i) => i.s <= target) || [...open].some((b) => b.items.some((i) => i.s <= target));
  while (pending()) await Promise.all([pump(), ...unloads]);
}

/** The session token (from the `botect_session` cookie or the server), or null before the first answer. */
export const getSessionToken = (): string | null => token;
