import crypto from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { AppError, LIMITS, tokenClaimsSchema, type Role, type TokenClaims } from '@nomades/shared';

export interface MintOptions {
  roomId: string;
  name: string;
  role: Role;
  identity?: string;
  guest?: boolean;
  ttlSeconds?: number;
}

const ISSUER = 'nomades-visio';

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
      iat: now,
      exp: now + ttl,
      jti: crypto.randomUUID(),
    });
    const { iat, exp, ...rest } = claims;
    const token = await new SignJWT(rest)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
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
      ({ payload } = await jwtVerify(token, this.#key, { algorithms: ['HS256'], issuer: ISSUER }));
    } catch (error) {
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
}
