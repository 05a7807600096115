import { AppError, type RecordingInfo } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { ModerationStore } from '../store/ModerationStore.js';
import type { RoomStore } from '../store/RoomStore.js';
import type { RoomRegistry } from './RoomRegistry.js';

export interface RoomDeletionDeps {
  rooms: RoomStore;
  registry: Pick<RoomRegistry, 'occupants' | 'forget'>;
  invites: { deleteRoom(roomId: string): number };
  moderation: Pick<ModerationStore, 'forgetRoom'>;
  collab: { deleteRoom(roomId: string): Promise<void> };
  recordings: {
    listByRoom(roomId: string): RecordingInfo[];
    /** The path of DELETE /api/recordings/:id: files, row, `recording.deleted` (HOOK-5). */
    delete(recording: RecordingInfo): Promise<void>;
  };
  log: Logger;
}

/**
 * ROOM-7 (docs/spec/signaling.md): deletes a room and everything its id keys, so that a new room of
 * the same id inherits nothing: refused (CONFLICT) while anyone is in it or its lobby, or while one
 * of its recordings is not finished. The row goes first (no new join or board connection is
 * admitted from then on), then invitations, moderation state, board and chat, recordings.
 */
export class RoomDeletion {
  readonly #d: RoomDeletionDeps;

  constructor(deps: RoomDeletionDeps) {
    this.#d = deps;
  }

  async delete(roomId: string): Promise<void> {
    const d = this.#d;
    if (!d.rooms.get(roomId)) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    const participants = d.registry.occupants(roomId);
    if (participants > 0) throw new AppError('CONFLICT', 'the room is in use: people are in it or waiting in its lobby', { participants });
    const recordings = d.recordings.listByRoom(roomId);
    const unfinished = recordings.filter((r) => r.status === 'recording' || r.status === 'processing');
    if (unfinished.length) {
      throw new AppError('CONFLICT', `a recording of the room is still ${unfinished[0]!.status}`, { recordings: unfinished.length });
    }
    d.rooms.delete(roomId);
    d.registry.forget(roomId);
    const invitations = d.invites.deleteRoom(roomId);
    d.moderation.forgetRoom(roomId);
    await d.collab.deleteRoom(roomId);
    for (const recording of recordings) await d.recordings.delete(recording);
    d.log.info({ room: roomId, invitations, recordings: recordings.length }, 'room deleted');
  }
}
