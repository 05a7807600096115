import { z } from 'zod';
import { assignableRoleSchema, moderatedSourceSchema } from '../rights.js';

/**
 * Moderation over signaling: raised hands, mute/stop, remove, lock, lobby, promote/demote.
 * Merged into the request map of requests.ts; rules MOD-n / LOBBY-n in docs/spec/signaling.md.
 */
const id = z.string().min(1).max(64);
const empty = z.object({}).strict();

export const MODERATION_LIMITS = {
  /** People waiting in one room's lobby; the next one is refused ROOM_FULL. */
  maxLobbyEntries: 100,
  /** Lobby entries of one identity (LOBBY-6): a new knock replaces the older one (ALREADY_JOINED). */
  maxLobbyEntriesPerIdentity: 1,
  /** A session waiting in the lobby longer than this is ended (JOIN_TIMEOUT). */
  lobbyWaitMs: 15 * 60_000,
  /** Identities and token ids remembered as removed, per room (each; the oldest is forgotten first). */
  maxBansPerRoom: 1000,
  /** Identities whose role a host changed, per room (MOD-6); the oldest change is forgotten first. */
  maxRolesPerRoom: 1000,
  /** Identities holding a media lock, per room (MOD-2); the oldest locked identity is released first. */
  maxMediaLockedIdentitiesPerRoom: 1000,
} as const;

export const raisedHandSchema = z.object({ peerId: id, displayName: z.string(), raisedAt: z.number() });
export type RaisedHand = z.infer<typeof raisedHandSchema>;

export const lobbyEntrySchema = z.object({ id, displayName: z.string(), guest: z.boolean(), since: z.number() });
export type LobbyEntry = z.infer<typeof lobbyEntrySchema>;

/** The room's moderation state as one peer sees it (sent whole on every change, MOD-9). */
export const roomControlsSchema = z.object({
  locked: z.boolean(),
  lobbyEnabled: z.boolean(),
  /** Raised hands, oldest first (the queue). */
  hands: z.array(raisedHandSchema),
  /** People waiting in the lobby: filled for hosts only. */
  lobby: z.array(lobbyEntrySchema),
  /** Sources a host has locked for the receiving peer: it may not unmute or publish them. */
  myLocks: z.array(moderatedSourceSchema),
});
export type RoomControls = z.infer<typeof roomControlsSchema>;

export const moderationRequests = {
  /** MOD-1: anyone with `raiseHand` raises/lowers their own hand; a host may lower anyone's. */
  setHand: { request: z.object({ raised: z.boolean(), peerId: id.optional() }).strict(), response: empty },
  /** MOD-2: mute a microphone (paused) or stop a camera/screen (closed); `lock` forbids unmuting. */
  muteParticipant: {
    request: z.object({ peerId: id, source: moderatedSourceSchema, lock: z.boolean().optional() }).strict(),
    response: empty,
  },
  /** MOD-2: lifts a lock set by muteParticipant/muteAll. */
  unlockParticipant: { request: z.object({ peerId: id, source: moderatedSourceSchema }).strict(), response: empty },
  /** MOD-3: pauses every microphone but the caller's. */
  muteAll: { request: z.object({ lock: z.boolean().optional() }).strict(), response: z.object({ muted: z.number().int() }) },
  /** MOD-4: removes a peer; its token and identity cannot join this room again. */
  removeParticipant: { request: z.object({ peerId: id }).strict(), response: empty },
  /** MOD-5: a locked room refuses new joins except hosts'. */
  setRoomLock: { request: z.object({ locked: z.boolean() }).strict(), response: empty },
  /** LOBBY-1: non-hosts wait in the lobby until a host admits them. */
  setLobby: { request: z.object({ enabled: z.boolean() }).strict(), response: empty },
  admitFromLobby: { request: z.object({ id }).strict(), response: empty },
  refuseFromLobby: { request: z.object({ id }).strict(), response: empty },
  /** MOD-6: promote an attendee to participant, or demote (closes their producers). */
  setRole: { request: z.object({ peerId: id, role: assignableRoleSchema }).strict(), response: empty },
} as const;

/** Bodies of the admin moderation API (server/src/http/moderationRouter.ts). */
export const muteBodySchema = z
  .object({ source: moderatedSourceSchema.optional(), lock: z.boolean().optional() })
  .strict();
export const unlockBodySchema = z.object({ source: moderatedSourceSchema }).strict();
export const roleBodySchema = z.object({ role: assignableRoleSchema }).strict();
export const muteAllBodySchema = z.object({ lock: z.boolean().optional() }).strict();
export const lockBodySchema = z.object({ locked: z.boolean() }).strict();
export const lobbyBodySchema = z.object({ enabled: z.boolean() }).strict();
