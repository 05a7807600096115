import { z } from 'zod';
import { recordingIdSchema, recordingStatusSchema } from './recording/recording.js';
import { displayNameSchema, roleSchema } from './token.js';

/**
 * Sharing a room (docs/spec/sharing.md): invitations (INV-n), the public room information
 * (NAME-3) and recordings for the people of the room (REC-Vn). Limits shared so the client knows them.
 */
export const SHARING_LIMITS = {
  /** INV-1: lifetime of an invitation an administrator makes, by default and at most. */
  defaultInviteTtlSeconds: 7 * 24 * 3600,
  maxInviteTtlSeconds: 30 * 24 * 3600,
  minInviteTtlSeconds: 60,
  /** INV-1: uses one invitation may allow at most (none given: unlimited until it expires). */
  maxInviteUses: 10_000,
  /** INV-1: invitations of a room that are neither revoked nor expired; the next is refused CONFLICT. */
  maxLiveInvitesPerRoom: 100,
  /** INV-7: the room's reusable invitation copied from the meeting: lifetime; a new one is made when less than the second is left. */
  meetingInviteTtlSeconds: 7 * 24 * 3600,
  meetingInviteMinRemainingSeconds: 24 * 3600,
  /** INV-4: lifetime of a room token obtained with an invitation. */
  inviteeTokenTtlSeconds: 8 * 3600,
  /** INV-6: room tokens one client address may obtain with invitations for one room per window; beyond, 429 RATE_LIMITED. */
  inviteTokensPerWindow: 20,
  inviteTokenWindowMs: 60_000,
  /** NAME-3: public room information answers per client address per window; beyond, 429 RATE_LIMITED. */
  publicInfoPerWindow: 60,
  publicInfoWindowMs: 60_000,
  /** REC-V2: lifetime of the signed address of one recording's file. */
  recordingAccessTtlSeconds: 3600,
  /** The longest credential string accepted (invitation, recording access). */
  maxCredentialLength: 4096,
} as const;

export const inviteIdSchema = z.string().regex(/^inv_[A-Za-z0-9_-]{16,40}$/, 'not an invitation id');

/** POST /api/rooms/:id/invites (admin). */
export const createInviteBodySchema = z
  .object({
    /** Role of those who join with it (default: participant, attendee in a webinar). */
    role: roleSchema.optional(),
    ttlSeconds: z.number().int().min(SHARING_LIMITS.minInviteTtlSeconds).max(SHARING_LIMITS.maxInviteTtlSeconds).optional(),
    maxUses: z.number().int().min(1).max(SHARING_LIMITS.maxInviteUses).optional(),
  })
  .strict();
export type CreateInviteBody = z.infer<typeof createInviteBodySchema>;

/** 201 answer of POST /api/rooms/:id/invites. */
export const createdInviteSchema = z.object({
  id: inviteIdSchema,
  url: z.string(),
  expiresAt: z.string(),
  maxUses: z.number().int().nullable(),
});
export type CreatedInvite = z.infer<typeof createdInviteSchema>;

/** One entry of GET /api/rooms/:id/invites (admin) → { invites }. */
export const inviteInfoSchema = createdInviteSchema.extend({
  role: roleSchema,
  /** `admin`: made with the admin API; `meeting`: the room's reusable one, copied from the meeting (INV-7). */
  kind: z.enum(['admin', 'meeting']),
  createdAt: z.string(),
  uses: z.number().int().nonnegative(),
  revoked: z.boolean(),
});
export type InviteInfo = z.infer<typeof inviteInfoSchema>;

/** POST /api/rooms/:id/invite-token (no auth, rate-limited): a room token of one's own. */
export const inviteTokenBodySchema = z
  .object({ invite: z.string().min(1).max(SHARING_LIMITS.maxCredentialLength), name: displayNameSchema })
  .strict();
export type InviteTokenBody = z.infer<typeof inviteTokenBodySchema>;

/** POST /api/rooms/:id/invites/current (room token): the room's reusable invitation. */
export const meetingInviteSchema = z.object({ url: z.string(), expiresAt: z.string() });
export type MeetingInvite = z.infer<typeof meetingInviteSchema>;

/** One entry of GET /api/rooms/:id/recordings/watch (room token) → { recordings }. */
export const viewableRecordingSchema = z.object({
  id: recordingIdSchema,
  status: recordingStatusSchema,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  durationMs: z.number().int().nonnegative(),
  sizeBytes: z.number().int().nonnegative(),
  /** REC-V2: for a ready recording, the file's address (signed, valid until urlExpiresAt): for `<video src>` and downloads. */
  url: z.string().nullable(),
  urlExpiresAt: z.string().nullable(),
  /** CAP-3: its captions (WebVTT, for `<track src>`), signed as `url` and valid as long; null when it has none. */
  captionsUrl: z.string().nullable(),
  /** COMP-7: while processing, compositions ahead of its own (absent otherwise). */
  queuePosition: z.number().int().nonnegative().optional(),
});
export type ViewableRecording = z.infer<typeof viewableRecordingSchema>;
export const viewableRecordingsSchema = z.object({ recordings: z.array(viewableRecordingSchema) });
