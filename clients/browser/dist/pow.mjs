// Botect browser SDK 1.0.0: proof-of-work solver (generated from src/pow.ts; do not edit)

// src/pow.ts
function core() {
  const K = new Int32Array(64);
  const IV = new Int32Array(8);
  const frac = (x) => (x - Math.floor(x)) * 4294967296 | 0;
  for (let c = 2, k = 0; k < 64; c++) {
    let prime = 1;
    for (let d = 2; d * d <= c; d++) if (c % d == 0) prime = 0;
    if (prime) {
      if (k < 8) IV[k] = frac(c ** 0.5);
      K[k++] = frac(c ** (1 / 3));
    }
  }
  const w = new Int32Array(64);
  function load(b, o) {
    for (let i = 0; i < 16; i++, o += 4) w[i] = b[o] << 24 | b[o + 1] << 16 | b[o + 2] << 8 | b[o + 3];
  }
  function compress(h) {
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15];
      const y = w[i - 2];
      w[i] = w[i - 16] + ((x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ x >>> 3) + w[i - 7] + ((y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^ y >>> 10) | 0;
    }
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (let i = 0; i < 64; i += 2) {
      let t1 = hh + ((e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7)) + (g ^ e & (f ^ g)) + K[i] + w[i] | 0;
      hh = t1 + (((a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10)) + (a & b | c & (a | b))) | 0;
      d = d + t1 | 0;
      t1 = g + ((d >>> 6 | d << 26) ^ (d >>> 11 | d << 21) ^ (d >>> 25 | d << 7)) + (f ^ d & (e ^ f)) + K[i + 1] + w[i + 1] | 0;
      g = t1 + (((hh >>> 2 | hh << 30) ^ (hh >>> 13 | hh << 19) ^ (hh >>> 22 | hh << 10)) + (hh & a | b & (hh | a))) | 0;
      c = c + t1 | 0;
      const x = a, y = b;
      a = g;
      b = hh;
      hh = f;
      g = e;
      f = d;
      e = c;
      d = y;
      c = x;
    }
    h[0] = h[0] + a | 0;
    h[1] = h[1] + b | 0;
    h[2] = h[2] + c | 0;
    h[3] = h[3] + d | 0;
    h[4] = h[4] + e | 0;
    h[5] = h[5] + f | 0;
    h[6] = h[6] + g | 0;
    h[7] = h[7] + hh | 0;
  }
  function pad(t, end, len) {
    const n = end + 72 >> 6 << 6;
    t.fill(0, end, n);
    t[end] = 128;
    for (let i = 1, bits = len * 8; i <= 8; i++, bits = Math.floor(bits / 256)) t[n - i] = bits % 256;
    return n;
  }
  function digest2(m) {
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
  function solveSync2(challenge, difficulty, start = 0, count = 1 / 0) {
    if (!(difficulty <= 32)) return null;
    const m = new TextEncoder().encode(challenge);
    const full = m.length - m.length % 64;
    const mid = IV.slice();
    for (let o = 0; o < full; o += 64) {
      load(m, o);
      compress(mid);
    }
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
    const word = (j) => tw[j] = t[j * 4] << 24 | t[j * 4 + 1] << 16 | t[j * 4 + 2] << 8 | t[j * 4 + 3];
    const layout = (digits) => {
      n = digits.length;
      if (n > 20) return false;
      for (let i = 0; i < n; i++) t[rem + i] = digits.charCodeAt(i);
      blocks = pad(t, rem + n, m.length + n) >> 6;
      for (let j = 0; j < blocks * 16; j++) word(j);
      return dirty = true;
    };
    if (!layout(String(start))) return null;
    for (let k = 0; k < count; k++) {
      if (dirty || blocks == 1) {
        s1.set(mid);
        for (let i2 = 0; i2 < 16; i2++) w[i2] = tw[i2];
        compress(s1);
        dirty = false;
      }
      let top = s1[0];
      if (blocks == 2) {
        h.set(s1);
        for (let i2 = 0; i2 < 16; i2++) w[i2] = tw[i2 + 16];
        compress(h);
        top = h[0];
      }
      if (top >>> 0 < limit) return String.fromCharCode.apply(null, t.subarray(rem, rem + n));
      let i = rem + n - 1;
      while (i >= rem && t[i] == 57) t[i--] = 48;
      if (i < rem) {
        if (!layout("1" + "0".repeat(n))) return null;
      } else {
        t[i]++;
        const last = rem + n - 1 >> 2;
        for (let j = i >> 2; j <= last; j++) word(j);
        if (i < 64) dirty = true;
      }
    }
    return null;
  }
  return { digest: digest2, solveSync: solveSync2 };
}
var C = core();
var digest = C.digest;
var solveSync = C.solveSync;
var WORKER = `var s=(${core})().solveSync;onmessage=function(e){postMessage(s(e.data[0],e.data[1]))}`;
function solveInWorker(challenge, difficulty) {
  return new Promise((resolve, reject) => {
    let u = "";
    let wk;
    const end = (f) => {
      try {
        URL.revokeObjectURL(u);
        wk.terminate();
      } catch (e) {
      }
      f();
    };
    try {
      u = URL.createObjectURL(new Blob([WORKER], { type: "text/javascript" }));
      wk = new Worker(u);
      wk.onmessage = (e) => end(() => typeof e.data == "string" ? resolve(e.data) : reject(e.data));
      wk.onerror = (e) => {
        var _a;
        (_a = e.preventDefault) == null ? void 0 : _a.call(e);
        end(() => reject(e));
      };
      wk.postMessage([challenge, difficulty]);
    } catch (e) {
      end(() => reject(e));
    }
  });
}
var breathe = () => new Promise((r) => {
  if (typeof MessageChannel == "undefined") return setTimeout(r);
  const c = new MessageChannel();
  c.port1.onmessage = () => {
    c.port1.close();
    r();
  };
  c.port2.postMessage(0);
});
async function solveInSlices(challenge, difficulty, sliceMs = 4) {
  for (let i = 0, n = 500; i < 1e15; ) {
    const t = performance.now();
    const r = solveSync(challenge, difficulty, i, n);
    if (r != null) return r;
    i += n;
    n = Math.max(100, Math.min(n * 4, Math.round(n * sliceMs / Math.max(performance.now() - t, 0.05))));
    await breathe();
  }
  throw new Error("no nonce");
}
var solve = (challenge, difficulty) => solveInWorker(challenge, difficulty).catch(() => solveInSlices(challenge, difficulty));
export {
  core,
  digest,
  solve,
  solveInSlices,
  solveInWorker,
  solveSync
};
