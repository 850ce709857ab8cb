// Test helpers: bundling a src/ module on the fly, a fake browser environment for
// dist/botect.mjs, a recording fetch mock (with a challenge endpoint), a Web Worker made of a
// node worker thread, and a minimal protobuf reader.
import { build } from "esbuild";
import { resolveObjectURL } from "node:buffer";
import { createHash } from "node:crypto";
import { Worker as NodeWorker } from "node:worker_threads";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Bundles src/<name>.ts into a temp dir and imports it (for internals the bundles don't export). */
export async function loadSrc(name) {
  const dir = await mkdtemp(join(tmpdir(), "botect-src-"));
  const outfile = join(dir, `${name}.mjs`);
  await build({
    absWorkingDir: root,
    entryPoints: [`src/${name}.ts`],
    bundle: true,
    format: "esm",
    outfile,
    define: { __VERSION__: '"0.0.0"' },
    logLevel: "error",
  });
  return import(pathToFileURL(outfile).href);
}

/**
 * Installs a fake browser on globalThis: document (an EventTarget with a cookie jar),
 * window/location/navigator, sessionStorage (a Map, `storage`), and a quiet console.debug.
 * Returns handles to drive it.
 */
export function fakeBrowser({ cookie = "", pathname = "/orders/123/items", protocol = "https:", session = {} } = {}) {
  const doc = new EventTarget();
  const jar = new Map();
  for (const part of cookie.split(/;\s*/).filter(Boolean)) {
    const i = part.indexOf("=");
    jar.set(part.slice(0, i), part.slice(i + 1));
  }
  const writes = [];
  Object.defineProperty(doc, "cookie", {
    get: () => [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
    set: (v) => {
      writes.push(v);
      const [kv] = v.split(";");
      const i = kv.indexOf("=");
      jar.set(kv.slice(0, i).trim(), kv.slice(i + 1).trim());
    },
  });
  Object.assign(doc, {
    readyState: "complete",
    visibilityState: "visible",
    documentElement: { scrollHeight: 2000, scrollTop: 0, getAttribute: () => null },
    createElement: () => ({ getContext: () => null }),
    hasFocus: () => true,
  });
  const win = new EventTarget();
  const storage = new Map(Object.entries(session));
  Object.assign(globalThis, {
    sessionStorage: {
      getItem: (k) => (storage.has(k) ? storage.get(k) : null),
      setItem: (k, v) => storage.set(k, String(v)),
      removeItem: (k) => storage.delete(k),
    },
    window: globalThis,
    document: doc,
    location: { origin: "https://shop.example", pathname, protocol },
    addEventListener: win.addEventListener.bind(win),
    removeEventListener: win.removeEventListener.bind(win),
    dispatchEvent: win.dispatchEvent.bind(win),
    scrollY: 0,
    innerWidth: 1440,
    innerHeight: 900,
    outerWidth: 1440,
    outerHeight: 980,
  });
  Object.defineProperty(globalThis, "navigator", {
    value: { userAgent: "Mozilla/5.0 (test)", languages: ["en-US", "en"], plugins: [], mimeTypes: [] },
    configurable: true,
    writable: true,
  });
  console.debug = () => {};
  /** Dispatches a DOM-like event on the document. */
  const fire = (type, props = {}) => {
    const e = new Event(type);
    for (const [k, v] of Object.entries(props)) Object.defineProperty(e, k, { value: v });
    doc.dispatchEvent(e);
  };
  return { doc, win, jar, writes, fire, storage };
}

/** A challenge as `CreateChallenge` answers it (100 characters, like the server's). */
export const CHALLENGE = "v1.Zm9vYmFyYmF6cXV4LXRlc3QtY2hhbGxlbmdlLXBheWxvYWQtMDEyMzQ1Njc4OQ.c2lnbmF0dXJlLXBsYWNlaG9sZGVyLTAx";
export const challengeBody = (over = {}) => ({
  challenge: CHALLENGE,
  algorithm: "SHA-256",
  difficulty: 8,
  expires_at: new Date(Date.now() + 300_000).toISOString(),
  ...over,
});

/** The protobuf of a botect.v1.Challenge. */
export function encodeChallenge({ challenge, algorithm, difficulty, expires_at }) {
  const o = [];
  const varint = (n) => {
    while (n > 127) {
      o.push((n & 127) | 128);
      n >>>= 7;
    }
    o.push(n);
  };
  const str = (f, s) => {
    const b = new TextEncoder().encode(s);
    varint((f << 3) | 2);
    varint(b.length);
    o.push(...b);
  };
  str(1, challenge);
  str(2, algorithm);
  if (difficulty) {
    varint(3 << 3);
    varint(difficulty);
  }
  str(4, expires_at);
  return new Uint8Array(o);
}

/** A gRPC-web answer: the message in a data frame, then the trailers frame (grpc-status 0). */
export function grpcReply(msg) {
  const trailer = new TextEncoder().encode("grpc-status:0\r\ngrpc-message:\r\n");
  const frame = (flag, b) => [flag, 0, 0, (b.length >> 8) & 255, b.length & 255, ...b];
  return new Response(new Uint8Array([...frame(0, msg), ...frame(0x80, trailer)]), {
    status: 200,
    headers: { "content-type": "application/grpc-web+proto" },
  });
}

/** The default challenge answer (difficulty 8), over REST or gRPC-web as the call was made. */
export function challengeReply(call, over = {}) {
  const c = challengeBody(over);
  if (call.url.endsWith("/CreateChallenge")) return grpcReply(encodeChallenge(c));
  return new Response(JSON.stringify(c), { status: 200, headers: { "content-type": "application/json" } });
}

const isChallenge = (url) => url.endsWith("/v1/challenges") || url.endsWith("/CreateChallenge");

/**
 * A fetch mock: `respond(call, n)` decides each answer (a Response, or throw for a network
 * failure). Every call is recorded with its headers (lower-case), body, keepalive and
 * credentials. Challenge fetches (`/v1/challenges`, `CreateChallenge`) are recorded apart, in
 * `calls.challenges`, and answered by `challenge(call, n)` (default: a difficulty-8 challenge).
 */
export function mockFetch(respond, { challenge = challengeReply } = {}) {
  const calls = [];
  calls.challenges = [];
  globalThis.fetch = async (url, init = {}) => {
    const headers = {};
    for (const [k, v] of Object.entries(init.headers || {})) headers[k.toLowerCase()] = v;
    const call = { url, method: init.method, headers, body: init.body, keepalive: !!init.keepalive, credentials: init.credentials, at: Date.now() };
    const list = isChallenge(url) ? calls.challenges : calls;
    list.push(call);
    return (list === calls ? respond : challenge)(call, list.length);
  };
  return calls;
}

/** Leading zero bits of SHA-256(challenge + nonce), by node:crypto. */
export function zeroBits(challenge, nonce) {
  const h = createHash("sha256").update(challenge + nonce, "utf8").digest();
  let n = 0;
  for (const x of h) {
    if (x) return n + Math.clz32(x) - 24;
    n += 8;
  }
  return n;
}

/** The smallest valid nonce, by brute force with node:crypto. */
export function smallestNonce(challenge, difficulty) {
  let i = 0;
  while (zeroBits(challenge, String(i)) < difficulty) i++;
  return String(i);
}

const WORKER_PRELUDE = `const { parentPort } = require("node:worker_threads");
globalThis.self = globalThis;
globalThis.postMessage = (m) => parentPort.postMessage(m);
parentPort.on("message", (data) => globalThis.onmessage({ data }));
`;

/**
 * Installs a `Worker` on globalThis that runs a Blob URL's script in a node worker thread
 * (with `onmessage`/`postMessage` globals like a dedicated worker). Returns the URLs it was
 * constructed with; `mode: "throw"` makes the constructor throw (a CSP refusing blob:),
 * `"error"` makes the worker fail with an error event.
 */
export function fakeWorker(mode = "ok") {
  const made = [];
  globalThis.Worker = class {
    constructor(url) {
      made.push(url);
      if (mode === "throw") throw new DOMException("blocked by CSP", "SecurityError");
      const blob = resolveObjectURL(url);
      if (!blob) throw new TypeError("not a live blob: URL");
      this.thread = blob.text().then((src) => {
        const t = new NodeWorker(WORKER_PRELUDE + (mode === "error" ? "throw new Error('boom');" : "") + src, { eval: true });
        t.on("message", (data) => this.onmessage && this.onmessage({ data }));
        t.on("error", (e) => this.onerror && this.onerror({ message: String(e), preventDefault() {} }));
        return t;
      });
    }
    postMessage(m) {
      this.thread.then((t) => t.postMessage(m));
    }
    terminate() {
      this.thread.then((t) => t.terminate());
    }
  };
  return made;
}

/** A 202 REST answer. */
export const accepted = (token, n = 1) =>
  new Response(JSON.stringify({ session_token: token, accepted: n, duplicates: 0 }), {
    status: 202,
    headers: { "content-type": "application/json" },
  });

/** Reads a protobuf message into { field: [ { wire, value } ] } (value: number or bytes). */
export function readMessage(b) {
  const out = {};
  let i = 0;
  const varint = () => {
    let n = 0;
    let s = 1;
    let c;
    do {
      c = b[i++];
      n += (c & 127) * s;
      s *= 128;
    } while (c & 128);
    return n;
  };
  while (i < b.length) {
    const k = varint();
    const f = Math.floor(k / 8);
    const w = k & 7;
    let value;
    if (w === 0) value = varint();
    else if (w === 1) {
      value = new DataView(b.buffer, b.byteOffset + i, 8).getFloat64(0, true);
      i += 8;
    } else if (w === 2) {
      const l = varint();
      value = b.subarray(i, i + l);
      i += l;
    } else throw new Error(`wire type ${w}`);
    (out[f] ||= []).push({ wire: w, value });
  }
  return out;
}

const text = (b) => new TextDecoder().decode(b);

/** google.protobuf.Value → JSON. */
export function decodeValue(b) {
  const m = readMessage(b);
  if (m[1]) return null;
  if (m[2]) return m[2][0].value;
  if (m[3]) return text(m[3][0].value);
  if (m[4]) return m[4][0].value === 1;
  if (m[5]) return decodeStruct(m[5][0].value);
  if (m[6]) return (readMessage(m[6][0].value)[1] || []).map((x) => decodeValue(x.value));
  throw new Error("empty Value");
}

/** google.protobuf.Struct → JSON object. */
export function decodeStruct(b) {
  const o = {};
  for (const e of readMessage(b)[1] || []) {
    const entry = readMessage(e.value);
    o[text(entry[1][0].value)] = decodeValue(entry[2][0].value);
  }
  return o;
}

const TYPES = ["unspecified", "mouse", "scroll", "visibility", "first_input", "js_probe", "page", "snapshot"];

/** botect.v1.IngestEventsRequest → { session_token, events } (+ integrity when field 4 is set). */
export function decodeRequest(b) {
  const m = readMessage(b);
  const integrity = m[4] && readMessage(m[4][0].value);
  return {
    ...(integrity && { integrity: { challenge: text(integrity[1][0].value), nonce: text(integrity[2][0].value) } }),
    session_token: m[1] ? text(m[1][0].value) : null,
    events: (m[2] || []).map((x) => {
      const e = readMessage(x.value);
      return {
        request_id: text(e[1][0].value),
        type: TYPES[e[2][0].value],
        received_at: text(e[3][0].value),
        payload: e[4] ? decodeStruct(e[4][0].value) : {},
      };
    }),
  };
}
