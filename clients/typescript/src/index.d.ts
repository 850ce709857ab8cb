import type { Client, Transport, Interceptor } from "@connectrpc/connect";
import type { AccountService } from "../gen/botect/v1/account_pb.js";
import type { Action, Verdict } from "../gen/botect/v1/common_pb.js";
import type { DetectionService } from "../gen/botect/v1/detections_pb.js";
import type { IngestService } from "../gen/botect/v1/ingest_pb.js";
import type { ProjectService } from "../gen/botect/v1/projects_pb.js";
import type { RuleService } from "../gen/botect/v1/rules_pb.js";
import type { ScoringService } from "../gen/botect/v1/scoring_pb.js";
import type { ServerIngestService } from "../gen/botect/v1/server_ingest_pb.js";
import type { SessionService } from "../gen/botect/v1/sessions_pb.js";
import type { StatsService } from "../gen/botect/v1/stats_pb.js";
import type { SessionVerdict, VerdictService } from "../gen/botect/v1/verdict_pb.js";
import type { VerifiedBotService } from "../gen/botect/v1/verified_pb.js";

export { Action, Verdict };
export declare const FAIL_OPEN_REASON: string;
export declare function failOpen(): SessionVerdict;
export declare function codeOf(err: unknown): string | undefined;

export interface BotectOptions {
  baseUrl: string;
  protocol?: "grpc" | "grpc-web";
  transport?: (opts: { baseUrl: string; interceptors: Interceptor[] }) => Transport;
}

export interface VerdictContext {
  path?: string;
  ip?: string;
  ua?: string;
  country?: string;
  deadlineMs?: number;
}

export declare class Botect {
  constructor(options: BotectOptions);
  ingest(siteKey: string): Client<typeof IngestService>;
  verdicts(privateKey: string): Client<typeof VerdictService>;
  serverIngest(privateKey: string): Client<typeof ServerIngestService>;
  account(token: string): Client<typeof AccountService>;
  projects(token: string): Client<typeof ProjectService>;
  scoring(token: string): Client<typeof ScoringService>;
  rules(token: string): Client<typeof RuleService>;
  sessions(token: string): Client<typeof SessionService>;
  stats(token: string): Client<typeof StatsService>;
  verifiedBots(token: string): Client<typeof VerifiedBotService>;
  detections(): Client<typeof DetectionService>;
  verdict(privateKey: string, sessionToken: string, context?: VerdictContext): Promise<SessionVerdict>;
}
