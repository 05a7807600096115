import { hkdfSync, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { AppError, NODE_LINK_KEY_INFO, NODE_LINK_LIMITS, NODE_LINK_TOKEN_TYP } from '@nomades/shared';

/** A node id as the configuration allows it (NODE_ID), or a generated one. */
const NODE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * SPAN-2: the short-lived tokens two nodes present to each other on the node link. HS256 with a
 * key derived from the service's TOKEN_SECRET by HKDF (info "nomades node link"): every node
 * shares it without one more secret to configure, and it is not the room tokens' key, so a room
 * token never opens a link and a link token is never a room token (their `typ` differ too).
 * Claims: iss = the presenting node, aud = the node it talks to, exp at most 60 s after iat, jti
 * accepted once (a token copied off the wire cannot open a second connection).
 */
export class NodeLinkTokens {
  readonly #key: Uint8Array;
  /** jti -> exp (s): tokens already accepted, until they expire. */
  readonly #seen = new Map<string, number>();

  constructor(tokenSecret: string, readonly ttlSeconds: number = NODE_LINK_LIMITS.tokenTtlSeconds) {
    if (!tokenSecret) throw new Error('the node link needs TOKEN_SECRET');
    if (!(ttlSeconds > 0 && ttlSeconds <= NODE_LINK_LIMITS.maxTokenTtlSeconds)) throw new RangeError(`node link token lifetime: 1 to ${NODE_LINK_LIMITS.maxTokenTtlSeconds} s`);
    this.#key = NodeLinkTokens.deriveKey(tokenSecret);
  }

  /** The link key of a TOKEN_SECRET (tests sign refused tokens with it). */
  static deriveKey(tokenSecret: string): Uint8Array {
    return new Uint8Array(hkdfSync('sha256', Buffer.from(tokenSecret, 'utf8'), Buffer.alloc(0), NODE_LINK_KEY_INFO, 32));
  }

  /** A token of `issuer` for `audience`. */
  async mint(issuer: string, audience: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: NODE_LINK_TOKEN_TYP })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + this.ttlSeconds)
      .setJti(randomUUID())
      .sign(this.#key);
  }

  /**
   * The issuer of a token meant for `audience`; throws AppError UNAUTHORIZED otherwise (bad
   * signature or kind, another audience, expired, too long-lived, replayed). Whether the issuer
   * is a live node is the caller's question.
   */
  async verify(token: unknown, audience: string): Promise<string> {
    if (typeof token !== 'string' || token.length === 0 || token.length > NODE_LINK_LIMITS.maxTokenLength) {
      throw new AppError('UNAUTHORIZED', 'a node link token is required');
    }
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.#key, {
        algorithms: ['HS256'],
        typ: NODE_LINK_TOKEN_TYP,
        audience,
        requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti'],
        clockTolerance: NODE_LINK_LIMITS.clockToleranceSeconds,
      }));
    } catch (error) {
      throw new AppError('UNAUTHORIZED', `node link token refused: ${(error as Error).message}`);
    }
    const { iss, exp, iat, jti } = payload as { iss: unknown; exp: number; iat: number; jti: unknown };
    if (typeof iss !== 'string' || !NODE_ID.test(iss)) throw new AppError('UNAUTHORIZED', 'node link token: invalid issuer');
    if (iss === audience) throw new AppError('UNAUTHORIZED', 'node link token: a node does not link to itself');
    if (exp - iat > NODE_LINK_LIMITS.maxTokenTtlSeconds) throw new AppError('UNAUTHORIZED', 'node link token: lives too long');
    if (iat > Date.now() / 1000 + NODE_LINK_LIMITS.clockToleranceSeconds) throw new AppError('UNAUTHORIZED', 'node link token: issued in the future');
    if (typeof jti !== 'string' || jti.length > 64) throw new AppError('UNAUTHORIZED', 'node link token: invalid jti');
    this.#forgetExpired();
    if (this.#seen.has(jti)) throw new AppError('UNAUTHORIZED', 'node link token: already used');
    this.#seen.set(jti, exp + NODE_LINK_LIMITS.clockToleranceSeconds);
    return iss;
  }

  #forgetExpired(): void {
    const now = Date.now() / 1000;
    for (const [jti, until] of this.#seen) if (until < now) this.#seen.delete(jti);
  }
}
