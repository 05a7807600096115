import { tokenResponseSchema, type TokenResponse } from '@nomades/shared';
import { apiRequest } from './apiRequest';

/** `POST /api/rooms/:id/guest`: a guest token for this room, or a ClientError with the server's code. */
export function requestGuestToken(roomId: string, name: string): Promise<TokenResponse> {
  return apiRequest(`/api/rooms/${encodeURIComponent(roomId)}/guest`, tokenResponseSchema, { method: 'POST', body: { name } });
}
