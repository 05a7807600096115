import { z } from 'zod';
import { LIMITS } from './limits.js';
import { displayNameSchema, roleSchema, roomIdSchema } from './token.js';

/** Room modes: a team meeting (default), a webinar (guests are attendees), a virtual coffee. */
export const roomModeSchema = z.enum(['meeting', 'webinar', 'coffee']);
export type RoomMode = z.infer<typeof roomModeSchema>;

const roomName = z.string().trim().min(1).max(LIMITS.maxRoomNameLength);
const maxParticipants = z.number().int().min(2).max(LIMITS.maxParticipantsCeiling);

/** Bodies and answers of the HTTP API. */
export const createRoomBodySchema = z
  .object({
    /** Stable id chosen by the caller (e.g. the intranet portal); generated when absent. */
    id: roomIdSchema.optional(),
    name: roomName.optional(),
    maxParticipants: maxParticipants.optional(),
    mode: roomModeSchema.optional(),
    /** Record sessions of this room automatically. */
    record: z.boolean().optional(),
    /** Screens shared at once (default 1). */
    maxScreenShares: z.number().int().min(1).max(10).optional(),
  })
  .strict();
export type CreateRoomBody = z.infer<typeof createRoomBodySchema>;

/** PATCH /api/rooms/:id */
export const updateRoomBodySchema = z
  .object({
    name: roomName.optional(),
    maxParticipants: maxParticipants.optional(),
    record: z.boolean().optional(),
    maxScreenShares: z.number().int().min(1).max(10).optional(),
  })
  .strict();
export type UpdateRoomBody = z.infer<typeof updateRoomBodySchema>;

export const roomInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  maxParticipants: z.number().int(),
  mode: roomModeSchema,
  record: z.boolean(),
  maxScreenShares: z.number().int(),
  createdAt: z.string(),
});
export type RoomInfo = z.infer<typeof roomInfoSchema>;

export const mintTokenBodySchema = z
  .object({
    name: displayNameSchema,
    role: roleSchema.optional(),
    identity: z.string().min(1).max(LIMITS.maxIdLength).optional(),
    ttlSeconds: z.number().int().min(30).max(LIMITS.maxTokenTtlSeconds).optional(),
  })
  .strict();
export type MintTokenBody = z.infer<typeof mintTokenBodySchema>;

export const guestTokenBodySchema = z.object({ name: displayNameSchema }).strict();

export const tokenResponseSchema = z.object({
  token: z.string(),
  joinUrl: z.string(),
  expiresAt: z.string(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;
