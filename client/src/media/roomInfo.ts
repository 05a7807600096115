import { publicRoomInfoSchema, viewableRecordingsSchema, type PublicRoomInfo, type ViewableRecording } from '@nomades/shared';
import { apiRequest } from './apiRequest';

const room = (roomId: string) => `/api/rooms/${encodeURIComponent(roomId)}`;

/** NAME-3: the room's human name and recording notice, before joining (ROOM_NOT_FOUND, RATE_LIMITED…). */
export function fetchPublicRoomInfo(roomId: string): Promise<PublicRoomInfo> {
  return apiRequest(`${room(roomId)}/public`, publicRoomInfoSchema);
}

/**
 * OWN-5: whether "Continuer en tant qu'invité" is offered. When the information cannot be had,
 * today's path stays: the guest request itself says when guests are refused.
 */
export function guestsAllowedIn(info: PublicRoomInfo | null): boolean {
  return info ? info.guestsAllowed : true;
}

/** REC-V1: the room's recordings, each ready one with a signed address (FORBIDDEN `{ role }` for a role that may not watch). */
export async function fetchRecordings(roomId: string, roomToken: string): Promise<ViewableRecording[]> {
  return (await apiRequest(`${room(roomId)}/recordings/watch`, viewableRecordingsSchema, { bearer: roomToken })).recordings;
}
