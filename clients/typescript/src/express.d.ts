import type { SessionVerdict } from "../gen/botect/v1/verdict_pb.js";
import type { Botect } from "./index.js";

export declare const MAX_CACHE_TTL_MS: number;

export interface Decision {
  verdict?: SessionVerdict;
  source: "server" | "cache" | "no_session" | "unavailable";
  action: "allow" | "challenge" | "block" | "log" | "delay";
  path?: string;
  ip?: string;
  ua?: string;
  country?: string;
}

type Handler = (req: any, res: any, decision: Decision) => void;

export interface MiddlewareOptions {
  botect?: Botect;
  baseUrl?: string;
  privateKey: string;
  cookie?: string;
  deadlineMs?: number;
  cacheTtlMs?: number;
  cacheSize?: number;
  trustedProxies?: string[];
  countryHeader?: string;
  onBlock?: Handler;
  onDelay?: Handler;
  onChallenge?: Handler;
  logger?: { info(msg: string): void; warn(msg: string): void };
}

export declare function botectMiddleware(options: MiddlewareOptions): (req: any, res: any, next: (err?: unknown) => void) => void;
export declare function sessionCookie(header: string | undefined, name: string): string | undefined;
export declare function clientIp(peer: string | undefined, forwarded: string[], trusted: unknown): string;
