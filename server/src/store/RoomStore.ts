import type { EventEmitter } from 'node:events';
import type { Role, RoomInfo, RoomMode, UpdateRoomBody } from '@nomades/shared';

export interface NewRoom {
  id: string;
  name: string;
  maxParticipants: number;
  mode: RoomMode;
  record: boolean;
  maxScreenShares?: number;
  /** Default ['host'] (REC-V1). */
  recordingViewers?: readonly Role[];
  /** Default false (INV-7). */
  participantsMayInvite?: boolean;
  /** OWN-1: the key of the agent who made it (agent rooms only). */
  createdBy?: string;
  /** OWN-5: guests may join; absent: the service's rule (GUEST_ACCESS). */
  guestsAllowed?: boolean;
}

export type RoomStoreEvents = {
  /** A room's settings changed (PATCH): live rooms and the recording trigger follow it. */
  updated: [room: RoomInfo];
};

/**
 * Persistence of rooms (KyselyRoomStore: SQLite or PostgreSQL). `updated` is emitted once the
 * change is stored. A room is deleted with everything its id keys: Store.deleteRoomRows (ROOM-7).
 */
export interface RoomStore extends EventEmitter<RoomStoreEvents> {
  /** Undefined when a room of this id exists (checked and inserted in one statement). */
  create(room: NewRoom): Promise<RoomInfo | undefined>;
  get(id: string): Promise<RoomInfo | undefined>;
  list(): Promise<RoomInfo[]>;
  update(id: string, patch: UpdateRoomBody): Promise<RoomInfo | undefined>;
}
