import { z } from 'zod';
import { LIMITS } from './limits.js';
import { displayNameSchema, roleSchema, roomIdSchema, type Role } from './token.js';

/** Room modes: a team meeting (default), a webinar (guests are attendees), a virtual coffee. */
export const roomModeSchema = z.enum(['meeting', 'webinar', 'coffee']);
export type RoomMode = z.infer<typeof roomModeSchema>;

const roomName = z.string().trim().min(1).max(LIMITS.maxRoomNameLength);
/** Roles that may watch the room's recordings with their room token (REC-V1, docs/spec/sharing.md). */
export const recordingViewersSchema = z
  .array(roleSchema)
  .max(3)
  .refine((roles) => new Set(roles).size === roles.length, 'roles must be distinct');
export const DEFAULT_RECORDING_VIEWERS: readonly Role[] = ['host'];
const maxParticipants = z.number().int().min(2).max(LIMITS.maxParticipantsCeiling);

/** Bodies and answers of the HTTP API. */
export const createRoomBodySchema = z
  .object({
    /**
     * Stable id chosen by the caller (e.g. the intranet portal); when absent, the slug of `name`
     * (NAME-2: `slugifyRoomName`, 409 CONFLICT if taken), else generated.
     */
    id: roomIdSchema.optional(),
    name: roomName.optional(),
    maxParticipants: maxParticipants.optional(),
    mode: roomModeSchema.optional(),
    /** Record sessions of this room automatically. */
    record: z.boolean().optional(),
    /** Screens shared at once (default 1). */
    maxScreenShares: z.number().int().min(1).max(10).optional(),
    /** Roles that may watch the recordings with a room token (default ['host']). */
    recordingViewers: recordingViewersSchema.optional(),
    /** Participants (not only hosts) may copy the room's invitation from the meeting (INV-7; default false). */
    participantsMayInvite: z.boolean().optional(),
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
    recordingViewers: recordingViewersSchema.optional(),
    participantsMayInvite: z.boolean().optional(),
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
  recordingViewers: z.array(roleSchema),
  participantsMayInvite: z.boolean(),
  createdAt: z.string(),
});
export type RoomInfo = z.infer<typeof roomInfoSchema>;

/**
 * NAME-3: `GET /api/rooms/:id/public` (no auth, rate-limited): what the pre-join shows before
 * anyone joins: the human name, and for a room that records, the recording notice (REC-V4).
 */
export const publicRoomInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  mode: roomModeSchema,
  record: z.boolean(),
  /** Participants, not only hosts, may copy the room's invitation from the meeting (INV-7). */
  participantsMayInvite: z.boolean(),
  /** Roles that may watch the room's recordings (REC-V1), whether it records now or not. */
  recordingViewers: z.array(roleSchema),
  recordingNotice: z
    .object({
      /** Days a recording is kept (RECORDING_RETENTION_DAYS); null: until an administrator deletes it. */
      retentionDays: z.number().int().positive().nullable(),
      /** Roles that may watch it (the room's recordingViewers). */
      viewers: z.array(roleSchema),
    })
    .nullable(),
  /** RET-2: days a chat message is kept (CHAT_RETENTION_DAYS), shown beside the recording notice; null: as long as the room. */
  chatRetentionDays: z.number().int().positive().nullable(),
  /** OWN-5: people without a city account may join as guests here (POST /api/rooms/:id/guest). */
  guestsAllowed: z.boolean(),
  /** OWN-5: an agent made this room: the pre-join offers "Se connecter pour rejoindre". */
  agentRoom: z.boolean(),
});
export type PublicRoomInfo = z.infer<typeof publicRoomInfoSchema>;

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
