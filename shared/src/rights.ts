import { z } from 'zod';
import type { MediaSource } from './signaling/requests.js';
import type { Role } from './token.js';

/**
 * What each role may do in a room (rules ROLE-1…ROLE-4 in docs/spec/signaling.md). The server
 * enforces this table on every request; the client reads the same table to decide which buttons
 * to show. A peer's role can change during a meeting (promote/demote): always ask with the
 * peer's current role, never the token's.
 */
export const rightSchema = z.enum([
  /** Produce a microphone track. */
  'microphone',
  /** Produce a camera track. */
  'camera',
  /** Share a screen (video and its audio). */
  'screen',
  /** Post chat messages. */
  'chat',
  /** Draw on the whiteboard. */
  'board',
  /** Raise and lower one's own hand. */
  'raiseHand',
  /** Mute, remove, lock, lobby decisions, promote/demote, lower others' hands. */
  'moderate',
  /** Put and remove the captions of the room's recordings (CAP-1 in docs/spec/sharing.md). */
  'captions',
  /** Create, open, close and delete polls; answer and dismiss questions; let an asker speak (POLL-1, QUESTION-3/5 in docs/spec/polls.md). */
  'poll',
]);
export type Right = z.infer<typeof rightSchema>;

export const ROLE_RIGHTS: Readonly<Record<Role, ReadonlySet<Right>>> = {
  host: new Set(rightSchema.options),
  participant: new Set<Right>(['microphone', 'camera', 'screen', 'chat', 'board', 'raiseHand']),
  attendee: new Set<Right>(['chat', 'raiseHand']),
};

export function can(role: Role, right: Right): boolean {
  return ROLE_RIGHTS[role].has(right);
}

/** The right a producer of `source` needs. */
export function rightForSource(source: MediaSource): Right {
  return source === 'microphone' ? 'microphone' : source === 'camera' ? 'camera' : 'screen';
}

/** Sources a host can mute or stop in someone else (screen covers screen and screen-audio). */
export const moderatedSourceSchema = z.enum(['microphone', 'camera', 'screen']);
export type ModeratedSource = z.infer<typeof moderatedSourceSchema>;

/** Roles a host can give with promote/demote (nobody becomes host during a meeting). */
export const assignableRoleSchema = z.enum(['participant', 'attendee']);
