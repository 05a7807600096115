import { publicRoomInfoSchema, viewableRecordingsSchema, type PublicRoomInfo, type ViewableRecording } from '@nomades/shared';
import { apiRequest } from './apiRequest';

const room = (roomId: string) => `/api/rooms/${encodeURIComponent(roomId)}`;

/** NAME-3: the room's human name and recording notice, before joining (ROOM_NOT_FOUND, RATE_LIMITED…). */
export function fetchPublicRoomInfo(roomId: string): Promise<PublicRoomInfo> {
  // Passthrough: the fields of OWN-5 (guestsAllowed, agentRoom) reach guestsAllowedIn even from a shared schema without them.
  return apiRequest(`${room(roomId)}/public`, publicRoomInfoSchema.passthrough());
}

/**
 * OWN-5: whether "Continuer en tant qu'invité" is offered. A room that does not say (older
 * server, information unavailable) keeps today's path: the guest request itself says when not.
 */
export function guestsAllowedIn(info: PublicRoomInfo | null): boolean {
  const value = (info as Record<string, unknown> | null)?.guestsAllowed;
  return typeof value === 'boolean' ? value : true;
}

/** REC-V1: the room's recordings, each ready one with a signed address (FORBIDDEN `{ role }` for a role that may not watch). */
export async function fetchRecordings(roomId: string, roomToken: string): Promise<ViewableRecording[]> {
  return (await apiRequest(`${room(roomId)}/recordings/watch`, viewableRecordingsSchema, { bearer: roomToken })).recordings;
}
