/**
 * The proof-of-work solver for the server's signed challenges (docs/ingest.md#integrity).
 *
 * A nonce is the decimal ASCII string of a non-negative integer (no leading zeros, at most 20
 * digits) such that SHA-256(UTF-8(challenge) + nonce) has at least `difficulty` leading zero
 * bits (bit 7 of byte 0 first). The search counts up from 0, so the answer is the smallest
 * valid nonce and the server's expected work is 2^difficulty hashes.
 *
 * Speed: a pure-JS compression function on typed arrays. The challenge's complete 64-byte
 * blocks are hashed once (the midstate); per nonce only the one or two tail blocks are
 * compressed, the digits are counted up in place like an odometer (only the changed words are
 * reloaded), and a first tail block that did not change is not compressed again. Nothing is
 * allocated in the loop. `crypto.subtle` is no use here: one promise per hash, and it is
 * missing on insecure origins.
 *
 * `solve` runs the search in a Web Worker made from a Blob URL holding {@link core}'s own
 * source, so the page's main thread never blocks; where no worker can be made (no `Worker`,
 * a CSP without `blob:` in `worker-src`, a throwing constructor, a worker error) it searches on
 * the main thread in slices of about 4 ms, yielding to the event loop between slices.
 */

/** What {@link core} returns. */
export interface Core {
  /** The SHA-256 state (8 big-endian words) of the bytes `m`. */
  digest(m: Uint8Array): Int32Array;
  /** The smallest valid nonce in [start, start + count), or null. */
  solveSync(challenge: string, difficulty: number, start?: number, count?: number): string | null;
}

/**
 * The SHA-256 code and the nonce search. Self-contained (it references nothing outside its
 * body): its source text is also the Web Worker's script.
 */
export function core(): Core {
  const K = new Int32Array(64);
  const IV = new Int32Array(8);
  const frac = (x: number) => ((x - Math.floor(x)) * 4294967296) | 0;
  for (let c = 2, k = 0; k < 64; c++) {
    let prime = 1;
    for (let d = 2; d * d <= c; d++) if (c % d == 0) prime = 0;
    if (prime) {
      if (k < 8) IV[k] = frac(c ** 0.5);
      K[k++] = frac(c ** (1 / 3));
    }
  }
  /** The message schedule; words 0–15 are the block to compress. */
  const w = new Int32Array(64);

  /** Loads the 64-byte block of `b` at `o` into `w` (big-endian words). */
  function load(b: Uint8Array, o: number): void {
    for (let i = 0; i < 16; i++, o += 4) w[i] = (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
  }

  /** Compresses the block in `w[0..15]` into the state `h`. */
  function compress(h: Int32Array): void {
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15];
      const y = w[i - 2];
      w[i] =
        (w[i - 16] + ((x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ (x >>> 3)) + w[i - 7] +
          ((y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^ (y >>> 10))) | 0;
    }
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    // Two rounds per iteration (the second with the registers' roles shifted by one), then
    // the 8 registers rotate by two: fewer moves than one round at a time.
    for (let i = 0; i < 64; i += 2) {
      let t1 = (hh + ((e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7)) + (g ^ (e & (f ^ g))) + K[i] + w[i]) | 0;
      hh = (t1 + (((a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10)) + ((a & b) | (c & (a | b))))) | 0;
      d = (d + t1) | 0;
      t1 = (g + ((d >>> 6 | d << 26) ^ (d >>> 11 | d << 21) ^ (d >>> 25 | d << 7)) + (f ^ (d & (e ^ f))) + K[i + 1] + w[i + 1]) | 0;
      g = (t1 + (((hh >>> 2 | hh << 30) ^ (hh >>> 13 | hh << 19) ^ (hh >>> 22 | hh << 10)) + ((hh & a) | (b & (hh | a))))) | 0;
      c = (c + t1) | 0;
      const x = a, y = b;
      a = g; b = hh; hh = f; g = e; f = d; e = c; d = y; c = x;
    }
    h[0] = (h[0] + a) | 0;
    h[1] = (h[1] + b) | 0;
    h[2] = (h[2] + c) | 0;
    h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0;
    h[5] = (h[5] + f) | 0;
    h[6] = (h[6] + g) | 0;
    h[7] = (h[7] + hh) | 0;
  }

  /** Writes the SHA-256 padding of an `len`-byte message ending at `t[end]`; returns the padded length. */
  function pad(t: Uint8Array, end: number, len: number): number {
    const n = ((end + 72) >> 6) << 6;
    t.fill(0, end, n);
    t[end] = 128;
    for (let i = 1, bits = len * 8; i <= 8; i++, bits = Math.floor(bits / 256)) t[n - i] = bits % 256;
    return n;
  }

  function digest(m: Uint8Array): Int32Array {
    const t = new Uint8Array(m.length + 72);
    t.set(m);
    const n = pad(t, m.length, m.length);
    const h = IV.slice();
    for (let o = 0; o < n; o += 64) {
      load(t, o);
      compress(h);
    }
    return h;
  }

  function solveSync(challenge: string, difficulty: number, start = 0, count = 1 / 0): string | null {
    if (!(difficulty <= 32)) return null;
    const m = new TextEncoder().encode(challenge);
    const full = m.length - (m.length % 64);
    const mid = IV.slice();
    for (let o = 0; o < full; o += 64) {
      load(m, o);
      compress(mid);
    }
    // The tail: the challenge's last partial block, the digits, the padding (1 or 2 blocks).
    const rem = m.length - full;
    const t = new Uint8Array(128);
    t.set(m.subarray(full));
    const tw = new Int32Array(32);
    const s1 = new Int32Array(8);
    const h = new Int32Array(8);
    const limit = 2 ** (32 - difficulty);
    let n = 0;
    let blocks = 0;
    let dirty = true;
    const word = (j: number) => (tw[j] = (t[j * 4] << 24) | (t[j * 4 + 1] << 16) | (t[j * 4 + 2] << 8) | t[j * 4 + 3]);
    const layout = (digits: string): boolean => {
      n = digits.length;
      if (n > 20) return false;
      for (let i = 0; i < n; i++) t[rem + i] = digits.charCodeAt(i);
      blocks = pad(t, rem + n, m.length + n) >> 6;
      for (let j = 0; j < blocks * 16; j++) word(j);
      return (dirty = true);
    };
    if (!layout(String(start))) return null;
    for (let k = 0; k < count; k++) {
      if (dirty || blocks == 1) {
        s1.set(mid);
        for (let i = 0; i < 16; i++) w[i] = tw[i];
        compress(s1);
        dirty = false;
      }
      let top = s1[0];
      if (blocks == 2) {
        h.set(s1);
        for (let i = 0; i < 16; i++) w[i] = tw[i + 16];
        compress(h);
        top = h[0];
      }
      if (top >>> 0 < limit) return String.fromCharCode.apply(null, t.subarray(rem, rem + n) as any);
      // The next nonce: count the digits up in place.
      let i = rem + n - 1;
      while (i >= rem && t[i] == 57) t[i--] = 48;
      if (i < rem) {
        if (!layout("1" + "0".repeat(n))) return null;
      } else {
        t[i]++;
        const last = (rem + n - 1) >> 2;
        for (let j = i >> 2; j <= last; j++) word(j);
        if (i < 64) dirty = true;
      }
    }
    return null;
  }

  return { digest, solveSync };
}

const C = core();

/** The SHA-256 state of the bytes `m` (for `sha256` in util.ts). */
export const digest = C.digest;

/**
 * The smallest nonce in [start, start + count) (default: from 0, unbounded) whose hash with
 * `challenge` has at least `difficulty` (0–32) leading zero bits, or null when there is none
 * in the range (or past 20 digits). Synchronous and pure.
 */
export const solveSync = C.solveSync;

const WORKER = `var s=(${core})().solveSync;onmessage=function(e){postMessage(s(e.data[0],e.data[1]))}`;

/** Solves in a Web Worker made from a Blob URL; rejects when no worker can be made or it fails. */
export function solveInWorker(challenge: string, difficulty: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let u = "";
    let wk: Worker;
    const end = (f: () => void) => {
      try {
        URL.revokeObjectURL(u);
        wk.terminate();
      } catch {
        /* already gone */
      }
      f();
    };
    try {
      u = URL.createObjectURL(new Blob([WORKER], { type: "text/javascript" }));
      wk = new Worker(u);
      wk.onmessage = (e) => end(() => (typeof e.data == "string" ? resolve(e.data) : reject(e.data)));
      wk.onerror = (e) => {
        e.preventDefault?.();
        end(() => reject(e));
      };
      wk.postMessage([challenge, difficulty]);
    } catch (e) {
      end(() => reject(e));
    }
  });
}

/** Lets the event loop run (a MessageChannel task: no 4 ms clamping), else a timeout. */
const breathe = () =>
  new Promise<void>((r) => {
    if (typeof MessageChannel == "undefined") return setTimeout(r);
    const c = new MessageChannel();
    c.port1.onmessage = () => {
      c.port1.close();
      r();
    };
    c.port2.postMessage(0);
  });

/** Solves on the calling thread in slices of about `sliceMs`, yielding between slices. */
export async function solveInSlices(challenge: string, difficulty: number, sliceMs = 4): Promise<string> {
  for (let i = 0, n = 500; i < 1e15; ) {
    const t = performance.now();
    const r = solveSync(challenge, difficulty, i, n);
    if (r != null) return r;
    i += n;
    n = Math.max(100, Math.min(n * 4, Math.round((n * sliceMs) / Math.max(performance.now() - t, 0.05))));
    await breathe();
  }
  throw new Error("no nonce");
}

/** Solves in a Web Worker, or on the main thread in slices where no worker can be made. */
export const solve = (challenge: string, difficulty: number): Promise<string> =>
  solveInWorker(challenge, difficulty).catch(() => solveInSlices(challenge, difficulty));
