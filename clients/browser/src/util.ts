/** Small helpers: ids, SHA-256, path shape, the session cookie. */

/** A random UUID (v4): `crypto.randomUUID`, else built from `crypto.getRandomValues`. */
export function uid(): string {
  const c = globalThis.crypto;
  if (c && c.randomUUID) return c.randomUUID();
  const b = new Uint8Array(16);
  if (c && c.getRandomValues) c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = (Math.random() * 256) | 0;
  b[6] = (b[6] & 15) | 64;
  b[8] = (b[8] & 63) | 128;
  let h = "";
  for (let i = 0; i < 16; i++) h += (i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "") + (b[i] + 256).toString(16).slice(1);
  return h;
}

let K: number[] | undefined;
let H: number[];

/**
 * SHA-256 of the UTF-8 bytes of `s`, as lower-case hex. Synchronous, in plain JS (works in
 * insecure contexts, where `crypto.subtle` is missing); the server computes the same digest.
 */
export function sha256(s: string): string {
  if (!K) {
    K = [];
    H = [];
    const frac = (x: number) => ((x - Math.floor(x)) * 4294967296) | 0;
    for (let c = 2; K.length < 64; c++) {
      let prime = true;
      for (let d = 2; d * d <= c; d++) if (c % d == 0) prime = false;
      if (prime) {
        if (H.length < 8) H.push(frac(c ** 0.5));
        K.push(frac(c ** (1 / 3)));
      }
    }
  }
  const m = new TextEncoder().encode(s);
  const n = ((m.length + 72) >> 6) << 6;
  const buf = new Uint8Array(n);
  buf.set(m);
  buf[m.length] = 128;
  const dv = new DataView(buf.buffer);
  dv.setUint32(n - 8, (m.length / 536870912) | 0);
  dv.setUint32(n - 4, m.length << 3);
  const h = H.slice();
  const w: number[] = [];
  for (let o = 0; o < n; o += 64) {
    const [a0, b0, c0, d0, e0, f0, g0, h0] = h;
    let a = a0, b = b0, c = c0, d = d0, e = e0, f = f0, g = g0, hh = h0;
    for (let i = 0; i < 64; i++) {
      if (i < 16) w[i] = dv.getInt32(o + i * 4);
      else {
        const x = w[i - 15];
        const y = w[i - 2];
        w[i] =
          (w[i - 16] + ((x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ (x >>> 3)) + w[i - 7] +
            ((y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^ (y >>> 10))) | 0;
      }
      const t1 =
        (hh + ((e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      const t2 = (((a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    [a, b, c, d, e, f, g, hh].forEach((x, i) => (h[i] = (h[i] + x) | 0));
  }
  return h.map((x) => (x >>> 0).toString(16).padStart(8, "0")).join("");
}

/**
 * The shape of a URL path: each segment that holds a digit, an `@` or a `%`, or is longer
 * than 24 characters, becomes `:id`; at most 64 characters.
 */
export const pathShape = (p: string): string =>
  p
    .split("/")
    .map((g) => (/[\d@%]/.test(g) || g.length > 24 ? ":id" : g))
    .join("/")
    .slice(0, 64);

export const COOKIE = "botect_session";
/** A session token as the server mints it (`sess_` + URL-safe characters, ≤ 80 in all). */
export const TOKEN_RE = /^sess_[\w-]{1,75}$/;

/** The session token from the `botect_session` cookie, or null. */
export function readCookie(): string | null {
  try {
    const m = document.cookie.match(/(?:^|;\s*)botect_session=([^;]*)/);
    return m && TOKEN_RE.test(m[1]) ? m[1] : null;
  } catch {
    return null;
  }
}

/** Stores the token: first-party, path=/, SameSite=Lax, 30 days (Secure on https). */
export function writeCookie(t: string): void {
  try {
    document.cookie = `${COOKIE}=${t}; path=/; max-age=2592000; SameSite=Lax${location.protocol == "https:" ? "; Secure" : ""}`;
  } catch {
    /* no document (workers, tests) */
  }
}
