import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { nodeUrlSchema, RESUME_LIMITS } from '@nomades/shared';
import { authConfigOf, authEnvShape, type AuthConfig } from './authConfig.js';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/**
 * Configuration from environment variables, validated at start. Every variable is listed in the
 * README. Secrets left empty are generated and kept in DATA_DIR (see ensureSecrets).
 */
export const envSchema = z.object({
  PORT: port(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.string().url().optional(),
  DATA_DIR: z.string().min(1).default('data'),
  /** The store layer on PostgreSQL instead of the embedded SQLite (DATA_DIR/nomades.db). */
  DATABASE_URL: z
    .string()
    .url()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'DATABASE_URL must be a postgresql:// (or postgres://) URL')
    .optional(),
  ADMIN_KEY: z.string().min(16, 'ADMIN_KEY must be at least 16 characters').optional(),
  TOKEN_SECRET: z.string().min(32, 'TOKEN_SECRET must be at least 32 characters').optional(),
  /** OPS-1: a key that reads GET /metrics from another machine (besides ADMIN_KEY). */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  REDIS_URL: z.string().url().optional(),
  /**
   * NODE-1: with several nodes, this node's own address, where clients and the other nodes reach it
   * (a front may give it a path prefix: https://visio.example/n/b). Default: the listen address.
   */
  NODE_URL: nodeUrlSchema.optional(),
  /**
   * SPAN-2: with several nodes, where the other nodes open the node link to this one: its own
   * address, never through the front. Default: NODE_URL when it has no path, else the listen address.
   */
  NODE_LINK_URL: nodeUrlSchema.optional(),
  /** NODE-1: this node's name in the directory, logs and metrics. Default: host name, port and a random suffix. */
  NODE_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'NODE_ID: 1 to 64 letters, digits, dots, dashes or underscores').optional(),
  /** NODE-5: heartbeat period, and how long a silent node lives before it is declared dead. */
  NODE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(10_000).default(1_000),
  NODE_TTL_MS: z.coerce.number().int().min(300).max(60_000).default(3_000),
  /** SPAN-5: the media participants this node hosts at most, over all its rooms and annex shards (no limit by default). */
  NODE_MAX_PARTICIPANTS: z.coerce.number().int().min(1).max(1_000_000).optional(),
  /** SPAN-3: the network between nodes is trusted: media piped between them is not encrypted (SRTP off). */
  NODE_PIPE_TRUSTED: bool.optional(),
  GUEST_ACCESS: bool.optional(),
  /** OWN-6: owners of agents' rooms may turn recording on in their settings. */
  OWNERS_MAY_RECORD: bool.default('0'),
  /** The web client's language when the browser prefers none it speaks (UI-1). */
  DEFAULT_LOCALE: z.enum(['fr', 'en']).default('fr'),
  /** The web client's noise suppression (RNNoise in an AudioWorklet): `off` removes it for the whole service. */
  NOISE_SUPPRESSION: bool.default('on'),
  /** The web client's camera background effects (blur, images); `0`/`off` turns them off for everyone. */
  BACKGROUND_EFFECTS: bool.default('1'),
  MEDIA_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  MEDIA_WORKER_MAX_CONSUMERS: z.coerce.number().int().min(1).max(100_000).default(500),
  RTC_LISTEN_IP: z.string().ip().optional(),
  ANNOUNCED_IP: z.string().min(1).optional(),
  RTC_PORT: port(40000),
  /** REACH-1: the HTTP port also carries ICE-TCP (one open port is enough for media). */
  MEDIA_ON_HTTP_PORT: bool.default('1'),
  /** REACH-1: the port announced for media on the HTTP port, when a proxy in front publishes another one (443). */
  ANNOUNCED_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** REACH-5: a coturn of our own behind the HTTP port: `auto` when that port is below 1024 (REACH-3) and coturn is installed. */
  TURN: z.enum(['auto', 'process', 'off']).default('auto'),
  /** REACH-4: TURN servers of your own (comma-separated turn:/turns: URLs), with TURN_SECRET (coturn static-auth-secret). */
  TURN_URLS: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^turns?:[^\s]+$/, 'a turn: or turns: URL')).min(1).max(8))
    .optional(),
  TURN_SECRET: z.string().min(16, 'TURN_SECRET must be at least 16 characters').optional(),
  /** REACH-4: lifetime of the TURN credentials handed out at each join. */
  TURN_TTL_S: z.coerce.number().int().min(60).max(7 * 86_400).default(12 * 3600),
  /** REACH-6: HTTPS on PORT itself (PEM files; reloaded when they change). */
  TLS_CERT: z.string().min(1).optional(),
  TLS_KEY: z.string().min(1).optional(),
  /** REACH-6: with TLS, plain HTTP requests on the port are redirected to https (except /healthz). */
  HTTPS_REDIRECT: bool.default('1'),
  /** REACH-5: the address the embedded TURN server relays from (default: the workers' listen address). */
  TURN_RELAY_IP: z.string().ip().optional(),
  RTC_MIN_PORT: port(40000),
  RTC_MAX_PORT: port(49999),
  MEDIASOUP_WORKER_BIN: z.string().optional(),
  CLIENT_DIST: z.string().optional(),
  WEBHOOK_URL: z.string().url().optional(),
  WEBHOOK_SECRET: z.string().min(16, 'WEBHOOK_SECRET must be at least 16 characters').optional(),
  /** HOOK-3: attempts per delivery (the first included), and the backoff: base · 2^(n−1), capped. */
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(500),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(10).max(86_400_000).default(60_000),
  RESUME_GRACE_MS: z.coerce.number().int().min(0).max(10 * 60_000).default(RESUME_LIMITS.defaultGraceMs),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Recording (recorder/README.md): `process` runs the recorder as a child process, `off` expects one elsewhere. */
  RECORDER: z.enum(['process', 'off']).default('process'),
  RECORDER_KEY: z.string().min(16, 'RECORDER_KEY must be at least 16 characters').optional(),
  RECORDINGS_DIR: z.string().min(1).optional(),
  RECORDING_CONTROL_URL: z.string().url().optional(),
  /** REC-V4: days a recording is kept, told to participants before they join (older ones are deleted: RET-1). */
  RECORDING_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
  /** RET-2: days a chat message is kept in the room's history. */
  CHAT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
  /** REC-9: comma-separated addresses a recording tap may send RTP to (default: loopback, and the child recorder's). */
  RECORDER_RTP_ALLOWED: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().ip()).min(1))
    .optional(),
  /** Sign-in (AUTH-n in docs/spec/auth.md): OIDC_*, SESSION_*, LOGOUT_ENDS_MEETINGS. */
  ...authEnvShape,
});

export interface Config {
  port: number;
  host: string;
  publicUrl?: string;
  dataDir: string;
  /** PostgreSQL for the store layer; without it, SQLite in DATA_DIR/nomades.db. */
  databaseUrl?: string;
  adminKey?: string;
  tokenSecret?: string;
  /** OPS-1: bearer that reads /metrics from elsewhere than loopback (ADMIN_KEY does too). */
  metricsToken?: string;
  redisUrl?: string;
  /** NODE-1: several nodes (on when DATABASE_URL names a shared PostgreSQL; Redis holds the directory). */
  node: { url?: string; id?: string; heartbeatMs: number; ttlMs: number; linkUrl?: string; maxParticipants?: number; pipeTrusted: boolean };
  guestAccess: boolean;
  /** OWN-6: OWNERS_MAY_RECORD. */
  ownersMayRecord: boolean;
  defaultLocale: 'fr' | 'en';
  /** NOISE_SUPPRESSION: the web client offers noise suppression (on by default for each person). */
  noiseSuppression: boolean;
  /** BACKGROUND_EFFECTS: the web client offers background blur and images. */
  backgroundEffects: boolean;
  mediaWorkers: number;
  /** Consumers beyond which a worker is busy and a room spreads to another one (PLACE-2). */
  mediaWorkerMaxConsumers: number;
  rtcListenIp: string;
  announcedIp?: string;
  rtcPort: number;
  /** REACH-1: ICE-TCP on the HTTP port. */
  mediaOnHttpPort: boolean;
  /** REACH-1: port announced for it (default: the HTTP port). */
  announcedPort?: number;
  /** REACH-6: HTTPS on the HTTP port. */
  tls?: { certFile: string; keyFile: string; redirectPlainHttp: boolean };
  /** REACH-4/5: TURN. */
  turn: { mode: 'auto' | 'process' | 'off'; urls?: string[]; secret?: string; ttlSeconds: number; relayIp?: string };
  /** SIG-13: how long a participant whose socket was lost is kept for a resume. */
  resumeGraceMs: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  mediasoupWorkerBin?: string;
  clientDist: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** Recording: run the recorder as a child process, or not (another machine runs it). */
  recorder: 'process' | 'off';
  /** Key of the internal channel /internal/recordings (generated when not set, never the admin key). */
  recorderKey?: string;
  /** Addresses recording taps may send RTP to (REC-9); undefined: loopback and the child recorder's. */
  recorderRtpAllowed?: string[];
  recordingsDir: string;
  /** URL recorders use to reach this server (defaults to its listen address). */
  recordingControlUrl?: string;
  /** REC-V4: days a recording is kept (shown in the recording notice); undefined: until an administrator deletes it. */
  recordingRetentionDays?: number;
  /** Where room and participant events are POSTed, signed with webhookSecret (HOOK-n). */
  webhookUrl?: string;
  webhookSecret?: string;
  /** HOOK-3: attempts per delivery and the exponential backoff. */
  webhookRetry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  /** RET-2: days a chat message is kept; undefined: as long as the room. */
  chatRetentionDays?: number;
  /** Sign-in with an OpenID provider and the agents' sessions (AUTH-n); `auth.oidc` undefined: off. */
  auth: AuthConfig;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Parses the environment; throws ConfigError listing every invalid variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (Boolean(e.TLS_CERT) !== Boolean(e.TLS_KEY)) throw new ConfigError('invalid configuration: TLS_CERT and TLS_KEY go together');
  if (Boolean(e.TURN_URLS) !== Boolean(e.TURN_SECRET)) throw new ConfigError('invalid configuration: TURN_URLS and TURN_SECRET go together');
  if (e.NODE_TTL_MS < 2 * e.NODE_HEARTBEAT_MS) throw new ConfigError('invalid configuration: NODE_TTL_MS must be at least twice NODE_HEARTBEAT_MS');
  if (e.RTC_MIN_PORT > e.RTC_MAX_PORT) throw new ConfigError('invalid configuration: RTC_MIN_PORT > RTC_MAX_PORT');
  if (e.WEBHOOK_URL && !e.WEBHOOK_SECRET) throw new ConfigError('invalid configuration: WEBHOOK_URL needs WEBHOOK_SECRET');
  if (e.RECORDER_KEY && e.RECORDER_KEY === e.ADMIN_KEY) throw new ConfigError('invalid configuration: RECORDER_KEY must differ from ADMIN_KEY');
  const auth = authConfigOf(e, (message) => {
    throw new ConfigError(`invalid configuration: ${message}`);
  });
  const wildcard = e.HOST === '0.0.0.0' || e.HOST === '::';
  const rtcListenIp = e.RTC_LISTEN_IP ?? (e.HOST === 'localhost' ? '127.0.0.1' : wildcard ? '0.0.0.0' : e.HOST);
  const announcedIp = e.ANNOUNCED_IP ?? (rtcListenIp === '0.0.0.0' ? firstExternalIpv4() : undefined);
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    adminKey: e.ADMIN_KEY,
    tokenSecret: e.TOKEN_SECRET,
    metricsToken: e.METRICS_TOKEN,
    redisUrl: e.REDIS_URL,
    node: { url: e.NODE_URL?.replace(/\/+$/, ''), id: e.NODE_ID, heartbeatMs: e.NODE_HEARTBEAT_MS, ttlMs: e.NODE_TTL_MS, linkUrl: e.NODE_LINK_URL?.replace(/\/+$/, ''), maxParticipants: e.NODE_MAX_PARTICIPANTS, pipeTrusted: e.NODE_PIPE_TRUSTED ?? false },
    guestAccess: e.GUEST_ACCESS ?? isLoopback(e.HOST),
    ownersMayRecord: e.OWNERS_MAY_RECORD,
    defaultLocale: e.DEFAULT_LOCALE,
    noiseSuppression: e.NOISE_SUPPRESSION,
    backgroundEffects: e.BACKGROUND_EFFECTS,
    mediaWorkers: e.MEDIA_WORKERS ?? Math.max(1, os.availableParallelism()),
    mediaWorkerMaxConsumers: e.MEDIA_WORKER_MAX_CONSUMERS,
    rtcListenIp,
    announcedIp,
    rtcPort: e.RTC_PORT,
    mediaOnHttpPort: e.MEDIA_ON_HTTP_PORT,
    announcedPort: e.ANNOUNCED_PORT,
    tls: e.TLS_CERT && e.TLS_KEY ? { certFile: path.resolve(e.TLS_CERT), keyFile: path.resolve(e.TLS_KEY), redirectPlainHttp: e.HTTPS_REDIRECT } : undefined,
    turn: { mode: e.TURN, urls: e.TURN_URLS, secret: e.TURN_SECRET, ttlSeconds: e.TURN_TTL_S, relayIp: e.TURN_RELAY_IP },
    resumeGraceMs: e.RESUME_GRACE_MS,
    rtcMinPort: e.RTC_MIN_PORT,
    rtcMaxPort: e.RTC_MAX_PORT,
    mediasoupWorkerBin: e.MEDIASOUP_WORKER_BIN,
    clientDist: path.resolve(e.CLIENT_DIST ?? path.join(import.meta.dirname, '../../../client/dist')),
    logLevel: e.LOG_LEVEL,
    recorder: e.RECORDER,
    recorderKey: e.RECORDER_KEY,
    recorderRtpAllowed: e.RECORDER_RTP_ALLOWED,
    recordingsDir: path.resolve(e.RECORDINGS_DIR ?? path.join(e.DATA_DIR, 'recordings')),
    recordingControlUrl: e.RECORDING_CONTROL_URL,
    recordingRetentionDays: e.RECORDING_RETENTION_DAYS,
    webhookUrl: e.WEBHOOK_URL,
    webhookSecret: e.WEBHOOK_SECRET,
    webhookRetry: { maxAttempts: e.WEBHOOK_MAX_ATTEMPTS, baseDelayMs: e.WEBHOOK_RETRY_BASE_MS, maxDelayMs: e.WEBHOOK_RETRY_MAX_MS },
    chatRetentionDays: e.CHAT_RETENTION_DAYS,
    auth,
  };
}

function firstExternalIpv4(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}
