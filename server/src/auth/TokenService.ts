import crypto from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { AppError, LIMITS, tokenClaimsSchema, type Role, type TokenClaims } from '@nomades/shared';

export interface MintOptions {
  roomId: string;
  name: string;
  role: Role;
  identity?: string;
  guest?: boolean;
  /** INV-4: the invitation it is obtained with. */
  invite?: string;
  ttlSeconds?: number;
  /** AUTH-9: the session it is obtained with (a hash of it): its end ends the meetings. */
  sid?: string;
  /** OWN-2: a room's member passes its lobby (not its lock). */
  pass?: 'lobby';
}

const ISSUER = 'nomades-visio';
/** The header `typ` of room tokens. */
const ROOM_TOKEN_TYP = 'JWT';

/**
 * Other credentials signed with the same key, each with a header `typ` of its own, so that none is
 * ever accepted as another (INV-2, REC-V2 in docs/spec/sharing.md): an invitation is not a room
 * token, a room token opens no recording file, and so on.
 */
export type ScopedTokenType = 'nomades-invite+jwt' | 'nomades-recording+jwt';

/** Room tokens: JWT signed with HS256 and TOKEN_SECRET. */
export class TokenService {
  readonly #key: Uint8Array;

  constructor(secret: string) {
    this.#key = new TextEncoder().encode(secret);
  }

  async mint(options: MintOptions): Promise<{ token: string; claims: TokenClaims }> {
    const now = Math.floor(Date.now() / 1000);
    const ttl = options.ttlSeconds ?? LIMITS.defaultTokenTtlSeconds;
    const claims: TokenClaims = tokenClaimsSchema.parse({
      sub: options.identity ?? `${options.guest ? 'guest' : 'user'}-${crypto.randomUUID()}`,
      name: options.name,
      room: options.roomId,
      role: options.role,
      ...(options.guest ? { guest: true } : {}),
      ...(options.invite ? { invite: options.invite } : {}),
      ...(options.sid ? { sid: options.sid } : {}),
      ...(options.pass ? { pass: options.pass } : {}),
      iat: now,
      exp: now + ttl,
      jti: crypto.randomUUID(),
    });
    const { iat, exp, ...rest } = claims;
    const token = await new SignJWT(rest)
      .setProtectedHeader({ alg: 'HS256', typ: ROOM_TOKEN_TYP })
      .setIssuer(ISSUER)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.#key);
    return { token, claims };
  }

  /**
   * Verifies signature, expiry and claims; when `roomId` is given, the token must be for that room.
   * Throws AppError TOKEN_MISSING | TOKEN_EXPIRED | TOKEN_INVALID | TOKEN_WRONG_ROOM.
   */
  async verify(token: unknown, roomId?: string): Promise<TokenClaims> {
    if (typeof token !== 'string' || token.length === 0) throw new AppError('TOKEN_MISSING', 'a room token is required');
    if (token.length > 4096) throw new AppError('TOKEN_INVALID', 'the token is too long');
    let payload: unknown;
    try {
      const verified = await jwtVerify(token, this.#key, { algorithms: ['HS256'], issuer: ISSUER });
      payload = verified.payload;
      // A portal signing room tokens itself may leave `typ` out; any other kind (INV-2) is refused.
      const typ = verified.protectedHeader.typ;
      if (typ !== undefined && typ.toUpperCase() !== ROOM_TOKEN_TYP) throw new AppError('TOKEN_INVALID', `a ${typ} is not a room token`);
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new AppError('TOKEN_EXPIRED', 'the token has expired');
      throw new AppError('TOKEN_INVALID', 'the token is not valid (bad signature or format)');
    }
    const parsed = tokenClaimsSchema.safeParse(payload);
    if (!parsed.success) throw new AppError('TOKEN_INVALID', 'the token lacks required claims');
    if (roomId !== undefined && parsed.data.room !== roomId) {
      throw new AppError('TOKEN_WRONG_ROOM', 'the token is for another room');
    }
    return parsed.data;
  }

  /** Signs a credential of another kind than a room token (its `typ`), expiring at `exp` (Unix seconds). */
  async signScoped(typ: ScopedTokenType, claims: JWTPayload, exp: number, iat = Math.floor(Date.now() / 1000)): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ }).setIssuer(ISSUER).setIssuedAt(iat).setExpirationTime(exp).sign(this.#key);
  }

  /** Verifies a credential of kind `typ`: TOKEN_MISSING, TOKEN_EXPIRED, or TOKEN_INVALID (bad signature, another kind). */
  async verifyScoped(typ: ScopedTokenType, token: unknown): Promise<JWTPayload> {
    if (typeof token !== 'string' || token.length === 0) throw new AppError('TOKEN_MISSING', 'a credential is required');
    if (token.length > 4096) throw new AppError('TOKEN_INVALID', 'the credential is too long');
    try {
      return (await jwtVerify(token, this.#key, { algorithms: ['HS256'], issuer: ISSUER, typ })).payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new AppError('TOKEN_EXPIRED', 'the credential has expired');
      throw new AppError('TOKEN_INVALID', 'the credential is not valid (bad signature, format or kind)');
    }
  }
}
