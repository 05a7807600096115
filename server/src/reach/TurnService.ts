import path from 'node:path';
import type { Config } from '../config/Config.js';
import type { Logger } from '../logging/logger.js';
import { TurnCredentials, type IceServer } from './TurnCredentials.js';
import { TurnServerProcess } from './TurnServerProcess.js';

/** The embedded coturn as clients reach it: through the HTTP port. */
interface SharedTurn {
  host: string;
  port: () => number;
  secret: string;
  ttlSeconds: number;
}

/**
 * REACH-4/5: what TURN the clients are offered. TURN_URLS + TURN_SECRET: servers of your own
 * (coturn with `use-auth-secret`). Otherwise TURN=process, or TURN=auto when the announced HTTP
 * port is below 1024 (where browsers make no ICE-TCP connection, REACH-3) and coturn is installed:
 * a coturn of our own behind the HTTP port (`turn:HOST:PORT?transport=tcp`). Each join gets
 * credentials valid TURN_TTL_S.
 */
export class TurnService {
  readonly #process?: TurnServerProcess;
  readonly #credentials?: TurnCredentials;
  readonly #shared?: SharedTurn;

  private constructor(parts: { process?: TurnServerProcess; credentials?: TurnCredentials; shared?: SharedTurn }) {
    this.#process = parts.process;
    this.#credentials = parts.credentials;
    this.#shared = parts.shared;
  }

  static async start(config: Config, httpPort: () => number, log: Logger): Promise<TurnService> {
    const t = config.turn;
    if (t.urls && t.secret) {
      return new TurnService({ credentials: new TurnCredentials({ urls: t.urls, secret: t.secret, ttlSeconds: t.ttlSeconds }) });
    }
    const announcedPort = config.announcedPort ?? config.port;
    const wanted = t.mode === 'process' || (t.mode === 'auto' && announcedPort > 0 && announcedPort < 1024 && TurnServerProcess.available());
    if (!wanted) return new TurnService({});
    if (!TurnServerProcess.available()) throw new Error('TURN=process needs coturn (Debian package coturn: npm run setup)');
    const workerIp = config.announcedIp ?? config.rtcListenIp;
    const relayIp = t.relayIp ?? (config.rtcListenIp === '0.0.0.0' ? workerIp : config.rtcListenIp);
    const process = await TurnServerProcess.start({ dir: path.join(config.dataDir, 'turn'), relayIp, allowedPeers: [...new Set([workerIp, config.rtcListenIp].filter((ip) => ip !== '0.0.0.0'))] });
    const host = config.publicUrl ? new URL(config.publicUrl).hostname : workerIp;
    log.child({ name: 'turn' }).info({ port: process.port, relayIp }, 'TURN over TCP on the HTTP port (embedded coturn)');
    return new TurnService({ process, shared: { host, port: () => config.announcedPort ?? httpPort(), secret: process.secret, ttlSeconds: t.ttlSeconds } });
  }

  /** The loopback port of the embedded coturn, for the shared HTTP port (REACH-5). */
  get localPort(): number | undefined {
    return this.#process?.port;
  }

  /** What the join answer offers this participant (REACH-4); empty without TURN. */
  iceServers(peerId: string): IceServer[] {
    if (this.#credentials) return [this.#credentials.issue(peerId)];
    const s = this.#shared;
    if (!s) return [];
    const host = s.host.includes(':') ? `[${s.host}]` : s.host;
    return [new TurnCredentials({ urls: [`turn:${host}:${s.port()}?transport=tcp`], secret: s.secret, ttlSeconds: s.ttlSeconds }).issue(peerId)];
  }

  close(): Promise<void> {
    return this.#process?.close() ?? Promise.resolve();
  }
}
