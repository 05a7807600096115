import type { RoomInfo } from '@nomades/shared';

export interface NewRoom {
  id: string;
  name: string;
  maxParticipants: number;
}

/** Persistence of rooms (the seam: SQLite by default, another store for several nodes). */
export interface RoomStore {
  create(room: NewRoom): RoomInfo;
  get(id: string): RoomInfo | undefined;
  list(): RoomInfo[];
  close(): void;
}
