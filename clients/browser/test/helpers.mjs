// Test helpers: bundling a src/ module on the fly, a fake browser environment for
// dist/botect.mjs, a recording fetch mock, and a minimal protobuf reader.
import { build } from "esbuild";
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
 * window/location/navigator, and a quiet console.debug. Returns handles to drive it.
 */
export function fakeBrowser({ cookie = "", pathname = "/orders/123/items", protocol = "https:" } = {}) {
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
  Object.assign(globalThis, {
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
  return { doc, win, jar, writes, fire };
}

/**
 * A fetch mock: `respond(call, n)` decides each answer (a Response, or throw for a network
 * failure). Every call is recorded with its headers (lower-case), body and keepalive flag.
 */
export function mockFetch(respond) {
  const calls = [];
  globalThis.fetch = async (url, init = {}) => {
    const headers = {};
    for (const [k, v] of Object.entries(init.headers || {})) headers[k.toLowerCase()] = v;
    const call = { url, method: init.method, headers, body: init.body, keepalive: !!init.keepalive };
    calls.push(call);
    return respond(call, calls.length);
  };
  return calls;
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

/** botect.v1.IngestEventsRequest → { session_token, events }. */
export function decodeRequest(b) {
  const m = readMessage(b);
  return {
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
