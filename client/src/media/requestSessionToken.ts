import { sessionTokenAnswerSchema, type SessionTokenAnswer } from '@nomades/shared';
import { apiRequest } from './apiRequest';

/**
 * AUTH-9: the room token this browser's session gives (same-origin cookie), in the JSON answer
 * only, never in an address. Rejects with a ClientError: LOGIN_REQUIRED without a session,
 * ROOM_NOT_FOUND, FORBIDDEN (banned), RATE_LIMITED, UNAVAILABLE.
 */
export function requestSessionToken(roomId: string): Promise<SessionTokenAnswer> {
  return apiRequest(`/api/rooms/${encodeURIComponent(roomId)}/session-token`, sessionTokenAnswerSchema, { method: 'POST', body: {} });
}
