import crypto from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AUTH_LIMITS } from '@nomades/shared';
import type { AuthStore } from '../store/AuthStore.js';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const TYPES = new Set(['logout+jwt', 'application/logout+jwt', 'jwt']);
/** Clock skew allowed on `iat` and `exp`. */
const SKEW_S = 30;

/** Whose sessions a checked logout token ends. */
export interface LogoutTarget {
  sub?: string;
  sid?: string;
}

/**
 * AUTH-12 (OpenID Connect Back-Channel Logout 1.0 §2.6): a `logout_token` signed by one of the
 * provider's keys (its jwks_uri), `typ` logout+jwt when given, of this issuer and for this client,
 * `iat` at most 2 minutes old, the back-channel event, `sub` or `sid`, no `nonce`, and a `jti`
 * never seen before (kept in the shared store, so a replay on another node is refused too).
 * `verify` throws on anything else.
 */
export class LogoutTokenVerifier {
  readonly #store: AuthStore;
  readonly #issuer: string;
  readonly #clientId: string;
  readonly #jwksUri: () => Promise<string | undefined>;
  #keys?: { uri: string; get: JWTVerifyGetKey };

  constructor(options: { store: AuthStore; issuer: string; clientId: string; jwksUri: () => Promise<string | undefined> }) {
    this.#store = options.store;
    this.#issuer = options.issuer;
    this.#clientId = options.clientId;
    this.#jwksUri = options.jwksUri;
  }

  async verify(token: string): Promise<LogoutTarget> {
    const uri = await this.#jwksUri();
    if (!uri) throw new Error('the provider publishes no jwks_uri');
    if (this.#keys?.uri !== uri) this.#keys = { uri, get: createRemoteJWKSet(new URL(uri), { timeoutDuration: 5_000, cooldownDuration: 30_000 }) };
    const { payload, protectedHeader } = await jwtVerify(token, this.#keys.get, {
      issuer: this.#issuer,
      audience: this.#clientId,
      clockTolerance: SKEW_S,
      requiredClaims: ['iat', 'jti', 'events'],
    });
    // Explicitly typed logout+jwt, or untyped/`JWT` as older providers send (the event and the
    // absence of `nonce` below keep an ID token, or any other JWT of the provider, from passing).
    if (protectedHeader.typ !== undefined && !TYPES.has(protectedHeader.typ.toLowerCase())) throw new Error(`typ ${protectedHeader.typ.slice(0, 32)} is not logout+jwt`);
    const now = Date.now() / 1000;
    if (typeof payload.iat !== 'number' || payload.iat < now - AUTH_LIMITS.logoutTokenMaxAgeS - SKEW_S || payload.iat > now + SKEW_S) throw new Error('iat too old or in the future');
    const events = payload.events as Record<string, unknown> | undefined;
    const event = events?.[BACKCHANNEL_EVENT];
    if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new Error('no back-channel logout event');
    if ('nonce' in payload) throw new Error('a logout token has no nonce');
    const sub = typeof payload.sub === 'string' && payload.sub ? payload.sub : undefined;
    const sid = typeof payload.sid === 'string' && payload.sid ? (payload.sid as string) : undefined;
    if (!sub && !sid) throw new Error('neither sub nor sid');
    if (typeof payload.jti !== 'string' || !payload.jti || payload.jti.length > 256) throw new Error('no usable jti');
    const jtiHash = crypto.createHash('sha256').update(`${this.#issuer}|${payload.jti}`).digest('base64url');
    const keepUntil = (payload.iat + AUTH_LIMITS.logoutTokenMaxAgeS + 2 * SKEW_S) * 1000;
    if (!(await this.#store.rememberJti(jtiHash, keepUntil))) throw new Error('jti already used (a replay)');
    return { sub, sid };
  }
}
