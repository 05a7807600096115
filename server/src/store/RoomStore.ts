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
}

export type RoomStoreEvents = {
  /** A room's settings changed (PATCH): live rooms and the recording trigger follow it. */
  updated: [room: RoomInfo];
};

/** Persistence of rooms (the seam: SQLite by default, another store for several nodes). */
export interface RoomStore extends EventEmitter<RoomStoreEvents> {
  create(room: NewRoom): RoomInfo;
  get(id: string): RoomInfo | undefined;
  list(): RoomInfo[];
  update(id: string, patch: UpdateRoomBody): RoomInfo | undefined;
  /** Removes the row (ROOM-7: RoomDeletion clears what else the id keys first); false when there was none. */
  delete(id: string): boolean;
  close(): void;
}
