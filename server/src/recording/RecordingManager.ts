import crypto from 'node:crypto';
import type { Queue } from 'bullmq';
import type { RecordingJobData } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { Room } from '../rooms/Room.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { RoomStore } from '../store/RoomStore.js';
import type { RecordingStore } from './RecordingStore.js';
import { RecordingSession } from './RecordingSession.js';

export interface RecordingManagerOptions {
  registry: RoomRegistry;
  rooms: RoomStore;
  recordings: RecordingStore;
  queue: Queue;
  /** Base URL of this server for the recorder (the internal channel). */
  controlUrl: () => string;
  /** Address the SFU's plain transports send from. */
  listenIp: string;
  /** Addresses a tap may send RTP to (REC-9). */
  rtpAllowed: readonly string[];
  /** BullMQ attempts of a recording job. */
  attempts?: number;
  /** Where a failure of a background step goes besides the log (FaultLog: /healthz). */
  faults?: { record(source: string, error: unknown, context?: Record<string, unknown>): void };
  log: Logger;
}

/**
 * The recording trigger (rules REC-1..3 in recorder/README.md): a flagged room's session is
 * recorded from its first producer on (one BullMQ job per session), until the room empties or
 * the flag is turned off. Everyone in the room is told (`recording` notification).
 *
 * It runs inside other parts' events (a peer joining, a producer appearing, a store update) and
 * in queue callbacks: REC-10, a failure there (SQLite, Redis) is caught, logged with the room
 * and recording, counted as a fault, and never reaches the join or produce that triggered it;
 * a session that could not start leaves nothing behind (no ghost session).
 */
export class RecordingManager {
  readonly #o: RecordingManagerOptions;
  readonly #sessions = new Map<string, RecordingSession>();
  readonly #byRoom = new Map<string, RecordingSession>();
  readonly #onRoomOpened = (room: Room) => this.#guard('watch', { room: room.id }, () => this.#watch(room));
  readonly #onRoomUpdated = (info: { id: string }) =>
    this.#guard('evaluate', { room: info.id }, () => {
      const room = this.#o.registry.get(info.id);
      if (room) this.#evaluate(room);
    });
  #closed = false;

  constructor(options: RecordingManagerOptions) {
    this.#o = options;
    options.registry.on('roomopened', this.#onRoomOpened);
    options.rooms.on('updated', this.#onRoomUpdated);
  }

  /** The running session with this recording id (the internal channel's lookup). */
  session(recordingId: string): RecordingSession | undefined {
    return this.#sessions.get(recordingId);
  }

  isRecording(roomId: string): boolean {
    return this.#byRoom.has(roomId);
  }

  #watch(room: Room): void {
    const evaluate = () => this.#guard('evaluate', { room: room.id }, () => this.#evaluate(room));
    room.on('peerjoined', (peer) => {
      if (this.#byRoom.get(room.id)) peer.notify('recording', { active: true });
      evaluate();
    });
    // Deferred: a rejoin replacing a session empties the room for an instant (ROOM-2).
    room.on('peerleft', () => queueMicrotask(evaluate));
    room.media.on('newproducer', evaluate);
    room.once('close', () => this.#guard('stop', { room: room.id }, () => this.#stop(room, 'the room closed')));
    evaluate();
  }

  #evaluate(room: Room): void {
    if (this.#closed) return;
    const session = this.#byRoom.get(room.id);
    const flagged = room.info.record && !room.closed && room.peerCount > 0;
    if (!session && flagged && room.media.producers().length > 0) this.#start(room);
    else if (session && !flagged) this.#stop(room, room.info.record ? 'the room is empty' : 'recording was turned off');
  }

  #start(room: Room): void {
    const id = `rec_${crypto.randomBytes(12).toString('base64url')}`;
    const startedAt = new Date().toISOString();
    const context = { room: room.id, recording: id };
    const log = this.#o.log.child(context);
    // The row first: if the store fails, no session exists and the next event tries again.
    this.#o.recordings.create(id, room.id, startedAt);
    const session = new RecordingSession(id, room, this.#o.listenIp, this.#o.rtpAllowed, log);
    this.#sessions.set(id, session);
    this.#byRoom.set(room.id, session);
    const data: RecordingJobData = { recordingId: id, roomId: room.id, controlUrl: this.#o.controlUrl(), startedAt };
    this.#o.queue
      .add('record', data, {
        jobId: id,
        attempts: this.#o.attempts ?? 3,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: 1000,
        removeOnFail: 1000,
      })
      .catch((error: Error) =>
        this.#guard('enqueue', context, () => {
          this.#o.faults?.record('recording.enqueue', error, context);
          log.error({ err: error }, 'could not enqueue the recording job');
          this.#o.recordings.update(id, { status: 'failed', error: `could not enqueue the job: ${error.message}` });
          if (this.#byRoom.get(room.id) === session) this.#stop(room, 'the job could not be enqueued');
        }),
      );
    log.info('recording started');
    room.broadcast('recording', { active: true });
  }

  #stop(room: Room, reason: string): void {
    const session = this.#byRoom.get(room.id);
    if (!session) return;
    this.#byRoom.delete(room.id);
    this.#sessions.delete(session.id);
    session.close();
    if (!room.closed) room.broadcast('recording', { active: false });
    this.#o.log.info({ room: room.id, recording: session.id, reason }, 'recording session ended');
    // Last: the live state is already consistent if the store fails.
    this.#o.recordings.update(session.id, { endedAt: new Date().toISOString() });
  }

  /** Runs a step triggered from elsewhere; a failure is logged with its context and counted, never thrown. */
  #guard(step: string, context: Record<string, unknown>, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      try {
        this.#o.faults?.record(`recording.${step}`, error, context);
        this.#o.log.error({ ...context, step, err: error }, 'recording: a background step failed');
      } catch {
        // logging must not throw either
      }
    }
  }

  /** Ends every session (their jobs go on composing what was captured). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#o.registry.off('roomopened', this.#onRoomOpened);
    this.#o.rooms.off('updated', this.#onRoomUpdated);
    for (const session of [...this.#byRoom.values()]) {
      this.#guard('stop', { room: session.room.id, recording: session.id }, () => this.#stop(session.room, 'the server is closing'));
    }
  }
}
