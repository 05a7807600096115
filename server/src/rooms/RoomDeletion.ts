import { AppError, type RecordingInfo } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { RoomStore } from '../store/RoomStore.js';
import type { DeletedRoomRows } from '../store/Store.js';
import type { RoomRegistry } from './RoomRegistry.js';

export interface RoomDeletionDeps {
  rooms: Pick<RoomStore, 'get'>;
  /** The rows the room's id keys, in one transaction (Store.deleteRoomRows). */
  deleteRows(roomId: string): Promise<DeletedRoomRows>;
  registry: Pick<RoomRegistry, 'occupants' | 'forget'>;
  collab: { deleteRoom(roomId: string): Promise<void> };
  recordings: {
    listByRoom(roomId: string): Promise<RecordingInfo[]>;
    /** The path of DELETE /api/recordings/:id: files, row, `recording.deleted` (HOOK-5). */
    delete(recording: RecordingInfo): Promise<void>;
  };
  log: Logger;
}

/**
 * ROOM-7 (docs/spec/signaling.md): deletes a room and everything its id keys, so that a new room of
 * the same id inherits nothing: refused (CONFLICT) while anyone is in it or its lobby, or while one
 * of its recordings is not finished. The rows go first, together (the room, invitations,
 * moderation state, recordings' metadata, board and chat: no new join or board connection is
 * admitted from then on), then the live state (cached moderation, a loaded board), then the
 * recordings' files. Deletions run one at a time, so that the checks and the deletion see the
 * same room.
 */
export class RoomDeletion {
  readonly #d: RoomDeletionDeps;
  #steps: Promise<void> = Promise.resolve();

  constructor(deps: RoomDeletionDeps) {
    this.#d = deps;
  }

  delete(roomId: string): Promise<void> {
    const run = this.#steps.then(() => this.#delete(roomId));
    this.#steps = run.catch(() => undefined);
    return run;
  }

  async #delete(roomId: string): Promise<void> {
    const d = this.#d;
    if (!(await d.rooms.get(roomId))) throw new AppError('ROOM_NOT_FOUND', 'no such room');
    const recordings = await d.recordings.listByRoom(roomId);
    // After the reads: the occupancy is checked in the tick of the deletion's first write.
    const participants = d.registry.occupants(roomId);
    if (participants > 0) throw new AppError('CONFLICT', 'the room is in use: people are in it or waiting in its lobby', { participants });
    const unfinished = recordings.filter((r) => r.status === 'recording' || r.status === 'processing');
    if (unfinished.length) {
      throw new AppError('CONFLICT', `a recording of the room is still ${unfinished[0]!.status}`, { recordings: unfinished.length });
    }
    const deleted = d.deleteRows(roomId);
    d.registry.forget(roomId);
    const rows = await deleted;
    await d.collab.deleteRoom(roomId);
    for (const recording of recordings) await d.recordings.delete(recording);
    d.log.info({ room: roomId, invitations: rows.invitations, recordings: recordings.length }, 'room deleted');
  }
}
