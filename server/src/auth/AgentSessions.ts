import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OidcPreset } from '@nomades/shared';
import type { AuthConfig } from '../config/authConfig.js';
import type { Logger } from '../logging/logger.js';
import type { AgentSessionRow, AuthStore, SessionMatch } from '../store/AuthStore.js';
import type { AgentIdentity } from './agentIdentity.js';
import { appendCookie, clearCookie, cookieName, hashOf, isRandomId, randomId, readCookie, setCookie } from './authCookies.js';
import type { AgentSessionsEvents, SignedInAgent } from './SignedInAgent.js';

/** `last_seen_at` is written at most this often per session (a quarter of the idle lifetime when shorter). */
const TOUCH_EVERY_MS = 60_000;
/** Expired rows are swept this often, at most SWEEP_BATCH of each table at a time. */
const SWEEP_EVERY_MS = 5 * 60_000;
const SWEEP_BATCH = 1_000;
/** Sessions one agent keeps (browsers, devices); a new login beyond drops the oldest. */
export const MAX_SESSIONS_PER_AGENT = 20;

/** Why sessions end (AUTH-11…13): an operator's always ends their meetings; the others per LOGOUT_ENDS_MEETINGS. */
export type EndReason = 'logout' | 'backchannel' | 'operator';

export interface AgentSessionsOptions {
  store: AuthStore;
  auth: AuthConfig;
  /** PUBLIC_URL is https: cookies are `Secure` and `__Host-` prefixed. */
  secure: boolean;
  log: Logger;
  now?: () => number;
}

/**
 * The agents' sessions (AUTH-8): a server-side row of the shared store per sign-in, keyed by a
 * hash of an opaque 32-byte cookie, with an idle and an absolute lifetime. `current(req)` is how
 * the rest of the server learns who a request's browser is; `ended` says which sessions ended by
 * a logout, a back-channel logout or an operator, so that their meetings end (AUTH-11): it is
 * emitted for logouts only when LOGOUT_ENDS_MEETINGS is on, for an operator always.
 */
export class AgentSessions extends EventEmitter<AgentSessionsEvents> {
  readonly cookieName: string;
  readonly #store: AuthStore;
  readonly #auth: AuthConfig;
  readonly #secure: boolean;
  readonly #log: Logger;
  readonly #now: () => number;
  #sweeper?: NodeJS.Timeout;
  #sweeping?: Promise<unknown>;
  #closed = false;

  constructor(options: AgentSessionsOptions) {
    super();
    this.#store = options.store;
    this.#auth = options.auth;
    this.#secure = options.secure;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.cookieName = cookieName('nomades_session', options.secure);
  }

  /** Sweeps now and then every few minutes (expired logins, sessions, logout tokens). */
  start(): void {
    if (this.#closed || this.#sweeper) return;
    this.#sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.#sweeper.unref();
    void this.sweep();
  }

  /** One bounded sweep; its failure is logged (the next one tries again). */
  sweep(): Promise<unknown> {
    this.#sweeping ??= this.#store
      .sweep(this.#now(), this.#auth.sessionIdleS * 1000, SWEEP_BATCH)
      .catch((error: unknown) => this.#log.warn({ err: error }, 'sweeping expired sign-in rows failed'))
      .finally(() => (this.#sweeping = undefined));
    return this.#sweeping;
  }

  /** The signed-in agent of this request's browser, if its session is live; touches it. */
  async current(req: IncomingMessage): Promise<SignedInAgent | undefined> {
    const row = await this.currentRow(req);
    return row ? agentOf(row) : undefined;
  }

  /** The session row of this request (auth/ only: it holds the ID token). */
  async currentRow(req: IncomingMessage): Promise<AgentSessionRow | undefined> {
    const id = readCookie(req, this.cookieName);
    if (!isRandomId(id)) return undefined;
    const idHash = hashOf(id);
    const row = await this.#store.getSession(idHash);
    if (!row) return undefined;
    const now = this.#now();
    if (now >= row.expiresAt || now - row.lastSeenAt >= this.#auth.sessionIdleS * 1000) {
      await this.#store.deleteSessions({ idHash });
      return undefined;
    }
    if (now - row.lastSeenAt >= Math.min(TOUCH_EVERY_MS, (this.#auth.sessionIdleS * 1000) / 4)) await this.#store.touchSession(idHash, now);
    return { ...row, lastSeenAt: now };
  }

  /**
   * AUTH-8: a new session (a new id at each login) for a checked login; sets its cookie on `res`.
   * The session this browser had before (`req`'s cookie), whoever it was, is deleted.
   */
  async open(identity: AgentIdentity, idToken: string, preset: OidcPreset, req: IncomingMessage, res: ServerResponse): Promise<SignedInAgent> {
    const previous = readCookie(req, this.cookieName);
    if (isRandomId(previous)) await this.#store.deleteSessions({ idHash: hashOf(previous) });
    const id = randomId();
    const now = this.#now();
    const row: AgentSessionRow = {
      idHash: hashOf(id),
      agentKey: identity.key,
      name: identity.name,
      email: identity.email,
      groups: identity.groups,
      preset,
      acr: identity.acr,
      providerSid: identity.sid,
      providerSub: identity.sub,
      idToken,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.#auth.sessionMaxS * 1000,
    };
    const dropped = await this.#store.addSession(row, MAX_SESSIONS_PER_AGENT);
    if (dropped.length) this.#log.info({ dropped: dropped.length }, 'an agent\'s oldest sessions dropped (too many)');
    appendCookie(res, setCookie(this.cookieName, id, { maxAgeS: this.#auth.sessionMaxS, secure: this.#secure }));
    return agentOf(row);
  }

  /** Clears this browser's session cookie (whatever it holds). */
  clearCookie(res: ServerResponse): void {
    appendCookie(res, clearCookie(this.cookieName, this.#secure));
  }

  /** Ends the matching sessions; returns how many. */
  async end(match: SessionMatch, reason: EndReason): Promise<number> {
    const ended = await this.#store.deleteSessions(match);
    if (ended.length) {
      this.#log.info({ sessions: ended.length, reason }, 'agent sessions ended');
      if (reason === 'operator' || this.#auth.logoutEndsMeetings) this.emit('ended', ended);
    }
    return ended.length;
  }

  /** AUTH-13: an operator ends every session of this email (lower-cased). */
  endByEmail(email: string): Promise<number> {
    return this.end({ email: email.trim().toLowerCase() }, 'operator');
  }

  close(): void {
    this.#closed = true;
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    this.removeAllListeners();
  }
}

export function agentOf(row: AgentSessionRow): SignedInAgent {
  return {
    key: row.agentKey,
    name: row.name,
    email: row.email,
    groups: row.groups,
    preset: row.preset,
    sessionHash: row.idHash,
    expiresAtMs: row.expiresAt,
  };
}

