/** Small helpers: ids, SHA-256, path shape, the session cookie. */
import { digest } from "./pow";

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

/**
 * SHA-256 of the UTF-8 bytes of `s`, as lower-case hex. Synchronous, in plain JS (works in
 * insecure contexts, where `crypto.subtle` is missing); the server computes the same digest.
 * The compression function is the proof-of-work solver's (pow.ts).
 */
export const sha256 = (s: string): string =>
  Array.from(digest(new TextEncoder().encode(s)), (x) => (x >>> 0).toString(16).padStart(8, "0")).join("");

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
