// Botect client for Node and browsers: Connect clients of every service (code generated from
// proto/ into gen/), over gRPC (Node, HTTP/2) or gRPC-web (browsers, or Node with fetch), with
// the right credential attached to every call, and verdict(), which fails open within a deadline.
import { create } from "@bufbuild/protobuf";
import { ConnectError, createClient } from "@connectrpc/connect";
import { AccountService } from "../gen/botect/v1/account_pb.js";
import { Action, Verdict } from "../gen/botect/v1/common_pb.js";
import { DetectionService } from "../gen/botect/v1/detections_pb.js";
import { IngestService } from "../gen/botect/v1/ingest_pb.js";
import { ProjectService } from "../gen/botect/v1/projects_pb.js";
import { RuleService } from "../gen/botect/v1/rules_pb.js";
import { ScoringService } from "../gen/botect/v1/scoring_pb.js";
import { ServerIngestService } from "../gen/botect/v1/server_ingest_pb.js";
import { SessionService } from "../gen/botect/v1/sessions_pb.js";
import { StatsService } from "../gen/botect/v1/stats_pb.js";
import { SessionVerdictSchema, VerdictService } from "../gen/botect/v1/verdict_pb.js";
import { VerifiedBotService } from "../gen/botect/v1/verified_pb.js";

export { Action, Verdict };

/** The reason of the fail-open verdict, as the server words it. */
export const FAIL_OPEN_REASON = "Score not available; allowing by default.";

/** The verdict to act on when none is available: `not_computed`, score 0, `allow`. */
export function failOpen() {
  return create(SessionVerdictSchema, { verdict: Verdict.not_computed, score: 0, action: Action.allow, reason: FAIL_OPEN_REASON });
}

/** Reads field 1 (a string) of a protobuf message: `google.rpc.ErrorInfo.reason`. */
function reasonOf(bytes) {
  let i = 0;
  const varint = () => {
    let v = 0;
    for (let shift = 0; i < bytes.length; shift += 7) {
      const b = bytes[i++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    return v;
  };
  while (i < bytes.length) {
    const tag = varint();
    const wire = tag & 7;
    if (wire === 2) {
      const n = varint();
      if (tag >> 3 === 1) return new TextDecoder().decode(bytes.subarray(i, i + n));
      i += n;
    } else if (wire === 0) varint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else return undefined;
  }
  return undefined;
}

/** The stable error code of a failed call (`INVALID_PAYLOAD`, `UNAUTHENTICATED`, …; the flat
 *  JSON body's `code` over REST): the reason of its `google.rpc.ErrorInfo` detail. */
export function codeOf(err) {
  const e = ConnectError.from(err);
  for (const d of e.details) {
    if (d.desc?.typeName === "google.rpc.ErrorInfo") return d.value?.reason;
    if (d.type === "google.rpc.ErrorInfo" && d.value instanceof Uint8Array) return reasonOf(d.value);
  }
  return undefined;
}

/** Adds one header to every request of a transport. */
const withHeader = (name, value) => (next) => async (req) => {
  req.header.set(name, value);
  return next(req);
};

export class Botect {
  /**
   * @param {object} options
   * @param {string} options.baseUrl e.g. `http://127.0.0.1:8080`
   * @param {"grpc"|"grpc-web"} [options.protocol] `grpc` (Node, HTTP/2; the default in Node)
   *   or `grpc-web` (browsers; Node too, over fetch)
   * @param {(opts: {baseUrl: string, interceptors: any[]}) => any} [options.transport] your own
   *   Connect transport factory instead
   */
  constructor({ baseUrl, protocol, transport } = {}) {
    if (!baseUrl) throw new TypeError("Botect: baseUrl is required");
    this.baseUrl = baseUrl.replace(/\/$/, "");
    this.protocol = protocol ?? (typeof process !== "undefined" && process.versions?.node ? "grpc" : "grpc-web");
    this.makeTransport = transport;
    this.transports = new Map();
  }

  async #factory() {
    if (this.makeTransport) return this.makeTransport;
    if (this.protocol === "grpc") {
      const { createGrpcTransport } = await import("@connectrpc/connect-node");
      return (o) => createGrpcTransport(o);
    }
    const { createGrpcWebTransport } = await import("@connectrpc/connect-web");
    return (o) => createGrpcWebTransport(o);
  }

  /** A client of `service` whose every call carries `header: value` (none for `null`). */
  #client(service, header, value) {
    const key = header ? `${header}\n${value}` : "";
    let t = this.transports.get(key);
    if (!t) {
      // Transports are made lazily (the Node one is imported only in Node) and reused per
      // credential, so that their connections are.
      const pending = this.#factory().then((make) => make({ baseUrl: this.baseUrl, interceptors: header ? [withHeader(header, value)] : [] }));
      t = { pending };
      this.transports.set(key, t);
    }
    const lazy = {
      unary: async (...a) => (await t.pending).unary(...a),
      stream: async (...a) => (await t.pending).stream(...a),
    };
    return createClient(service, lazy);
  }

  /** Ingest, with the site key (`x-botect-site-key`). */
  ingest(siteKey) {
    return this.#client(IngestService, "x-botect-site-key", siteKey);
  }
  /** Verdict reads, with the private key. */
  verdicts(privateKey) {
    return this.#client(VerdictService, "authorization", `Bearer ${privateKey}`);
  }
  /** Server-side ingest (page hits, relayed batches), with the private key. */
  serverIngest(privateKey) {
    return this.#client(ServerIngestService, "authorization", `Bearer ${privateKey}`);
  }
  account(token) {
    return this.#client(AccountService, "authorization", `Bearer ${token}`);
  }
  projects(token) {
    return this.#client(ProjectService, "authorization", `Bearer ${token}`);
  }
  scoring(token) {
    return this.#client(ScoringService, "authorization", `Bearer ${token}`);
  }
  rules(token) {
    return this.#client(RuleService, "authorization", `Bearer ${token}`);
  }
  sessions(token) {
    return this.#client(SessionService, "authorization", `Bearer ${token}`);
  }
  stats(token) {
    return this.#client(StatsService, "authorization", `Bearer ${token}`);
  }
  verifiedBots(token) {
    return this.#client(VerifiedBotService, "authorization", `Bearer ${token}`);
  }
  /** The detection registry (no credential). */
  detections() {
    return this.#client(DetectionService, null, null);
  }

  /**
   * The session's verdict for a request with this context, or {@link failOpen} when the server
   * does not answer within `deadlineMs` or the call fails.
   */
  async verdict(privateKey, sessionToken, { path = "", ip = "", ua = "", country = "", deadlineMs = 300 } = {}) {
    try {
      return await this.verdicts(privateKey).getVerdict({ sessionToken, path, ip, ua, country }, { timeoutMs: deadlineMs });
    } catch {
      return failOpen();
    }
  }
}
