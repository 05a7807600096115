import { z } from 'zod';
import { LIMITS } from './limits.js';

/** Roles carried by a room token (rights are enforced on the server by the access-control rules). */
export const roleSchema = z.enum(['host', 'participant', 'attendee']);
export type Role = z.infer<typeof roleSchema>;

export const roomIdSchema = z
  .string()
  .min(1)
  .max(LIMITS.maxIdLength)
  .regex(/^[A-Za-z0-9_-]+$/, 'room id: letters, digits, "-" and "_" only');

export const displayNameSchema = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .max(LIMITS.maxDisplayNameLength, `name is at most ${LIMITS.maxDisplayNameLength} characters`);

/** The claims of a room token (JWT, HS256). */
export const tokenClaimsSchema = z.object({
  /** Identity of the user (stable across meetings for named users, random for guests). */
  sub: z.string().min(1).max(LIMITS.maxIdLength * 2),
  /** Display name. */
  name: displayNameSchema,
  /** The only room this token opens. */
  room: roomIdSchema,
  role: roleSchema,
  guest: z.boolean().optional(),
  /** The invitation this token was obtained with (INV-4): its role was chosen there, ROLE-5 does not apply. */
  invite: z.string().max(LIMITS.maxIdLength).optional(),
  /**
   * A session this token was obtained with (AUTH-9): when that session ends, the meetings opened
   * with it end (SESSION_ENDED). Opaque to the meeting: only compared.
   */
  sid: z.string().min(1).max(LIMITS.maxIdLength).optional(),
  /** `lobby`: the holder passes the room's lobby, not its lock (ACCESS-3; a room's members, OWN-2). */
  pass: z.literal('lobby').optional(),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().max(LIMITS.maxIdLength).optional(),
});
export type TokenClaims = z.infer<typeof tokenClaimsSchema>;
