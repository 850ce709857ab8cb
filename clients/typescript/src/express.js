// Botect verdict middleware for Express (and any `(req, res, next)` framework): what the hosted
// server SDK's EnforceVerdict does. The session token from the `botect_session` cookie (name
// configurable); the request's context: `path` (the route template, `req.baseUrl +
// req.route.path`, where Express knows it: use the middleware on the route), `ip` (the socket
// peer, or what a trusted proxy appended to X-Forwarded-For; never anyone else's), `ua`, and
// `country` from a configured header; a deadline (300 ms) after which the request is allowed; a
// bounded local cache (at most 10 s; fail-open answers never cached); `block` → 403, `delay` →
// 429 with `Retry-After: 5`, `challenge`/`log`/`allow` pass through, each of the first three
// replaceable by a hook; the decision in `req.botect`; one log line per block, delay or
// challenge without the session token or any key.
import { BlockList, isIP } from "node:net";
import { Action, Botect, FAIL_OPEN_REASON, Verdict } from "./index.js";

/** The longest a verdict may be reused (the hosted SDK's 10 s). */
export const MAX_CACHE_TTL_MS = 10_000;

/** The session token from a Cookie header. */
export function sessionCookie(header, name) {
  for (const part of String(header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) {
      const v = decodeURIComponent(part.slice(i + 1).trim().replace(/^"|"$/g, ""));
      return v || undefined;
    }
  }
  return undefined;
}

/** A BlockList of CIDRs ("10.0.0.0/8", "::1/128"). */
function networks(cidrs) {
  const list = new BlockList();
  for (const c of cidrs) {
    const [net, bits] = c.split("/");
    const type = isIP(net) === 6 ? "ipv6" : "ipv4";
    list.addSubnet(net, Number(bits ?? (type === "ipv6" ? 128 : 32)), type);
  }
  return list;
}

const plain = (ip) => (ip && ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip);

/** The socket peer, or, when it is a trusted proxy, the rightmost forwarded address that is not. */
export function clientIp(peer, forwarded, trusted) {
  const p = plain(peer);
  if (!p || !isIP(p)) return "";
  const isTrusted = (ip) => trusted.check(ip, isIP(ip) === 6 ? "ipv6" : "ipv4");
  if (!isTrusted(p)) return p;
  const hops = [];
  for (const v of forwarded) {
    for (const part of String(v).split(",")) {
      const ip = plain(part.trim());
      if (!isIP(ip)) return p;
      hops.push(ip);
    }
  }
  let client = p;
  for (const hop of hops.reverse()) {
    client = hop;
    if (!isTrusted(hop)) break;
  }
  return client;
}

const text = (res, status, body, headers = {}) => {
  res.statusCode = status;
  for (const [k, v] of Object.entries({ "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers })) res.setHeader(k, v);
  res.end(body);
};

/**
 * @param {object} o
 * @param {Botect} [o.botect] a client (or `baseUrl` to make one)
 * @param {string} [o.baseUrl]
 * @param {string} o.privateKey
 * @param {string} [o.cookie] `botect_session`
 * @param {number} [o.deadlineMs] 300
 * @param {number} [o.cacheTtlMs] 10,000 (at most)
 * @param {number} [o.cacheSize] 10,000
 * @param {string[]} [o.trustedProxies] CIDRs whose X-Forwarded-For is believed
 * @param {string} [o.countryHeader] e.g. `cf-ipcountry`
 * @param {(req, res, decision) => void} [o.onBlock] replaces the 403
 * @param {(req, res, decision) => void} [o.onDelay] replaces the 429
 * @param {(req, res, decision) => void} [o.onChallenge] answers a challenge (default: pass through)
 * @param {{info: Function, warn: Function}} [o.logger] console
 */
export function botectMiddleware(o) {
  const botect = o.botect ?? new Botect({ baseUrl: o.baseUrl });
  const cookie = o.cookie ?? "botect_session";
  const deadlineMs = o.deadlineMs ?? 300;
  const ttl = Math.min(o.cacheTtlMs ?? MAX_CACHE_TTL_MS, MAX_CACHE_TTL_MS);
  const size = o.cacheSize ?? 10_000;
  const trusted = networks(o.trustedProxies ?? []);
  const logger = o.logger ?? console;
  /** Insertion-ordered: the first key is the oldest. */
  const cache = new Map();

  async function decide(req) {
    const token = sessionCookie(req.headers.cookie, cookie);
    if (!token) return { verdict: undefined, source: "no_session" };
    const xff = req.headers["x-forwarded-for"];
    const ctx = {
      path: req.route ? `${req.baseUrl ?? ""}${req.route.path}` : (req.path ?? req.url.split("?")[0]),
      ip: clientIp(req.socket?.remoteAddress, xff === undefined ? [] : [].concat(xff), trusted),
      ua: req.headers["user-agent"] ?? "",
      country: o.countryHeader ? String(req.headers[o.countryHeader.toLowerCase()] ?? "") : "",
    };
    const key = JSON.stringify([token, ctx.path, ctx.ip, ctx.ua, ctx.country]);
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ttl) return { verdict: hit.verdict, source: "cache", ...ctx };
    if (hit) cache.delete(key);
    let verdict;
    try {
      verdict = await botect.verdicts(o.privateKey).getVerdict({ sessionToken: token, ...ctx }, { timeoutMs: deadlineMs });
    } catch (e) {
      logger.warn(`botect: no verdict (${e?.code ?? e?.name ?? "error"}); allowing`);
      return { verdict: undefined, source: "unavailable", ...ctx };
    }
    // An answer the server could not compute yet is not kept.
    if (verdict.verdict !== Verdict.not_computed && verdict.reason !== FAIL_OPEN_REASON && ttl > 0 && size > 0) {
      cache.set(key, { at: Date.now(), verdict });
      while (cache.size > size) cache.delete(cache.keys().next().value);
    }
    return { verdict, source: "server", ...ctx };
  }

  return function botect(req, res, next) {
    decide(req).then(
      (d) => {
        const action = d.verdict?.action ?? Action.allow;
        const decision = { ...d, action: Action[action] };
        req.botect = decision;
        if (action === Action.block || action === Action.delay || action === Action.challenge) {
          logger.info(`botect: ${decision.action} ${d.path} (score ${d.verdict.score}, detections [${d.verdict.detectionIds.join(",")}], ${d.source})`);
        }
        if (action === Action.block) return o.onBlock ? o.onBlock(req, res, decision) : text(res, 403, "Forbidden\n");
        if (action === Action.delay)
          return o.onDelay ? o.onDelay(req, res, decision) : text(res, 429, "Too many requests; try again shortly\n", { "retry-after": "5" });
        if (action === Action.challenge && o.onChallenge) return o.onChallenge(req, res, decision);
        next();
      },
      (e) => next(e),
    );
  };
}
