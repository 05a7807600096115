import { meetingInviteSchema, tokenResponseSchema, type MeetingInvite, type TokenResponse } from '@nomades/shared';
import { apiRequest } from './apiRequest';

const room = (roomId: string) => `/api/rooms/${encodeURIComponent(roomId)}`;

/**
 * INV-4: a room token of one's own from an invitation (a new identity per call). Rejects with a
 * ClientError: TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_WRONG_ROOM, FORBIDDEN `{ reason: revoked | usedUp }`,
 * RATE_LIMITED, ROOM_NOT_FOUND, UNAVAILABLE (INV-5, INV-6).
 */
export function requestInviteToken(roomId: string, invite: string, name: string): Promise<TokenResponse> {
  return apiRequest(`${room(roomId)}/invite-token`, tokenResponseSchema, { method: 'POST', body: { invite, name } });
}

/** INV-7: the room's reusable invitation, with this participant's room token (FORBIDDEN `{ role }` without the right). */
export function fetchMeetingInvite(roomId: string, roomToken: string): Promise<MeetingInvite> {
  return apiRequest(`${room(roomId)}/invites/current`, meetingInviteSchema, { method: 'POST', body: {}, bearer: roomToken });
}
