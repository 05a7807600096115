import {
  meAnswerSchema,
  myRoomSchema,
  myRoomsAnswerSchema,
  roomSettingsSchema,
  type MeAnswer,
  type MyRoom,
  type NewAgentRoomBody,
  type RoomSettings,
} from '@nomades/shared';
import { apiRequest } from '../media/apiRequest';

const room = (roomId: string) => `/api/rooms/${encodeURIComponent(roomId)}`;

/** AUTH-10: who this browser's session is (same-origin cookie), without any token. */
export function fetchMe(): Promise<MeAnswer> {
  return apiRequest('/api/me', meAnswerSchema);
}

/** OWN-4: "Mes salles". */
export async function fetchMyRooms(): Promise<MyRoom[]> {
  return (await apiRequest('/api/me/rooms', myRoomsAnswerSchema)).rooms;
}

/** OWN-1: "Nouvelle réunion" (201 with the new room). */
export function createMyRoom(body: NewAgentRoomBody = {}): Promise<MyRoom> {
  return apiRequest('/api/me/rooms', myRoomSchema, { method: 'POST', body });
}

/** OWN-3: a room's settings (owners only: FORBIDDEN otherwise). */
export function fetchRoomSettings(roomId: string): Promise<RoomSettings> {
  return apiRequest(`${room(roomId)}/settings`, roomSettingsSchema);
}

/** OWN-3: saves them; the answer (the settings as kept) may be a body or nothing. */
export async function saveRoomSettings(roomId: string, settings: RoomSettings): Promise<RoomSettings> {
  const kept = await apiRequest(`${room(roomId)}/settings`, roomSettingsSchema.nullish(), { method: 'PUT', body: settings });
  return kept ?? settings;
}
