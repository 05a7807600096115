import { z } from 'zod';

/**
 * One error taxonomy for the whole product. Every failure that reaches a client carries one of
 * these stable, machine-readable codes plus a human-readable message. The HTTP status is the
 * wire mapping used by the REST API; socket.io acknowledgements carry the code itself.
 */
export const ERROR_CODES = {
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNKNOWN_REQUEST: 400,
  UNAUTHORIZED: 401,
  TOKEN_MISSING: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_WRONG_ROOM: 403,
  FORBIDDEN: 403,
  /** Moderation (docs/spec/signaling.md, MOD-n / LOBBY-n). */
  ROOM_LOCKED: 403,
  REMOVED: 403,
  LOBBY_REFUSED: 403,
  MEDIA_LOCKED: 403,
  IN_LOBBY: 409,
  GUEST_ACCESS_DISABLED: 403,
  /** AUTH-9: this needs a signed-in agent (a session cookie): sign in first. */
  LOGIN_REQUIRED: 401,
  /** AUTH-11/12: the agent's session ended (logout, back-channel logout, an operator): the meeting it opened ends. */
  SESSION_ENDED: 401,
  NOT_FOUND: 404,
  ROOM_NOT_FOUND: 404,
  NOT_JOINED: 409,
  ALREADY_JOINED: 409,
  ROOM_FULL: 409,
  /** Someone else already shares a screen (rooms allow `maxScreenShares` at once, 1 by default). */
  SCREEN_SHARE_BUSY: 409,
  CONFLICT: 409,
  /** CAP-2: a captions file refused, `params.reason` says why (captionsRefusalSchema), with its line or cue. */
  CAPTIONS_INVALID: 422,
  RATE_LIMITED: 429,
  JOIN_TIMEOUT: 408,
  /** SIG-13: the server no longer keeps that participant (or the credential is wrong): join anew. */
  RESUME_FAILED: 409,
  /**
   * NODE-2: several nodes; this room's meeting runs on another node, whose address `params.node`
   * gives (its base URL): the client connects there instead, without a click.
   */
  WRONG_NODE: 421,
  MEDIA_ERROR: 500,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

/**
 * Values the client's words need (a limit, a name, a source): the UI translates `code` with these;
 * `message` is English for logs and developers, never shown as it is (docs/spec/signaling.md ERR-1).
 */
export const errorParamsSchema = z
  .record(z.string().max(32), z.union([z.string().max(200), z.number()]))
  .refine((params) => Object.keys(params).length <= 8, 'at most 8 error parameters');
export type ErrorParams = z.infer<typeof errorParamsSchema>;

export const errorPayloadSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  params: errorParamsSchema.optional(),
});
export type ErrorPayload = z.infer<typeof errorPayloadSchema>;

/**
 * SIG-15: codes that end a meeting for good. A client that receives one of these (in `closing`, a
 * refused handshake or a refused join) stops and says why; on any other code a lost meeting is a
 * fault of the network or the server, and the client reconnects by itself.
 */
export const FINAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'UNAUTHORIZED',
  'TOKEN_MISSING',
  'TOKEN_INVALID',
  'TOKEN_EXPIRED',
  'TOKEN_WRONG_ROOM',
  'FORBIDDEN',
  'ROOM_LOCKED',
  'REMOVED',
  'LOBBY_REFUSED',
  'GUEST_ACCESS_DISABLED',
  'SESSION_ENDED',
  'ROOM_NOT_FOUND',
  'ALREADY_JOINED',
  'ROOM_FULL',
]);

export function isFinalCode(code: ErrorCode): boolean {
  return FINAL_CODES.has(code);
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code];
}

/** Error carrying a wire code; thrown anywhere on the server, mapped once at each boundary. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly params: ErrorParams | undefined;

  constructor(code: ErrorCode, message: string, params?: ErrorParams) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.params = params;
  }

  get status(): number {
    return httpStatusOf(this.code);
  }

  toPayload(): ErrorPayload {
    return this.params ? { code: this.code, message: this.message, params: this.params } : { code: this.code, message: this.message };
  }
}
