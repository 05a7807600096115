import crypto from 'node:crypto';
import type { Queue } from 'bullmq';
import type { RecordingInfo, RecordingJobData } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import type { Room } from '../rooms/Room.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { RoomStore } from '../store/RoomStore.js';
import type { RecordingLifecycle } from './RecordingLifecycle.js';
import { RecordingSession } from './RecordingSession.js';
import { RecordingStart } from './RecordingStart.js';

export interface RecordingManagerOptions {
  registry: RoomRegistry;
  rooms: RoomStore;
  /** The owner of every recording's state (RS-1…RS-6). */
  recordings: RecordingLifecycle;
  queue: Queue;
  /** Base URL of this server for the recorder (the internal channel). */
  controlUrl: () => string;
  /** Address the SFU's plain transports send from. */
  listenIp: string;
  /** Addresses a tap may send RTP to (REC-9). */
  rtpAllowed: readonly string[];
  /** BullMQ attempts of a recording job. */
  attempts?: number;
  /** REC-11: a recorder must take a session's job within this time (RECORDING_START_TIMEOUT_MS). */
  startTimeoutMs?: number;
  /** REC-11: enqueue attempts within that time (RECORDING_START_ATTEMPTS). */
  startAttempts?: number;
  /** DISK-1: the recordings' disk; no new recording starts while it is low. */
  disk?: { readonly low: boolean };
  /** Where a failure of a background step goes besides the log (FaultLog: /healthz). */
  faults?: { record(source: string, error: unknown, context?: Record<string, unknown>): void };
  /** A session's recording is stored (NODE-REC-1: linked to the one a dead node left). Must not throw. */
  onStarted?: (info: RecordingInfo) => void;
  /**
   * NODE-REC-2: before a new recording of a room starts, the recording a dead node left of it,
   * claimed for this node (RecordingTakeover.continueFor): the session then records on under its
   * id and the recorder resumes its manifest. Undefined: a new recording. May reject (a new one then).
   */
  continueFor?: (roomId: string) => Promise<RecordingInfo | undefined>;
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
 *
 * REC-11: a session whose job no recorder takes in time (recorder down, queue unreachable) is
 * ended and its recording marked `failed` with the reason (RecordingStart), its job removed, the
 * room told, a `recording.start` fault counted and `recording.failed` emitted; the next trigger
 * starts a new session.
 */
export class RecordingManager {
  readonly #o: RecordingManagerOptions;
  readonly #sessions = new Map<string, RecordingSession>();
  readonly #byRoom = new Map<string, RecordingSession>();
  /** Starts not yet taken by a recorder, by recording id (they outlive a session that ends early). */
  readonly #starts = new Map<string, RecordingStart>();
  /** Store writes in flight (the end of a session, a failed start). */
  readonly #writes = new Set<Promise<void>>();
  /** DISK-1: rooms told that their recording could not start (disk low), until it starts or they empty. */
  readonly #refused = new Set<string>();
  /** NODE-REC-2: rooms whose start waits for the answer of continueFor (nothing else starts meanwhile). */
  readonly #claiming = new Set<string>();
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

  /** A recorder contacted the internal channel for this recording: its job is taken (REC-11). */
  recorderContact(recordingId: string): void {
    this.#starts.get(recordingId)?.taken();
  }

  isRecording(roomId: string): boolean {
    return this.#byRoom.has(roomId);
  }

  #watch(room: Room): void {
    const evaluate = () => this.#guard('evaluate', { room: room.id }, () => this.#evaluate(room));
    room.on('peerjoined', (peer) => {
      if (this.#byRoom.get(room.id)) peer.notify('recording', { active: true });
      else if (this.#refused.has(room.id)) peer.notify('recording', { active: false, refused: 'diskLow' });
      evaluate();
    });
    // Deferred: a rejoin replacing a session empties the room for an instant (ROOM-2).
    room.on('peerleft', () => queueMicrotask(evaluate));
    room.media.on('newproducer', evaluate);
    room.once('close', () => this.#guard('stop', { room: room.id }, () => this.#stop(room, 'the room closed')));
    evaluate();
  }

  #evaluate(room: Room): void {
    if (this.#closed || this.#claiming.has(room.id)) return;
    const session = this.#byRoom.get(room.id);
    const flagged = room.info.record && !room.closed && room.peerCount > 0;
    if (!flagged) this.#refused.delete(room.id);
    if (!session && flagged && room.media.producers().length > 0) {
      if (this.#o.disk?.low) this.#refuse(room);
      else this.#start(room);
    } else if (session && !flagged) this.#stop(room, room.info.record ? 'the room is empty' : 'recording was turned off');
  }

  /** DISK-1: the disk is low: no recording, the room told once (and each joiner), a fault counted; the next trigger tries again. */
  #refuse(room: Room): void {
    if (this.#refused.has(room.id)) return;
    this.#refused.add(room.id);
    const error = new Error('the recordings disk is low: the recording did not start');
    this.#o.faults?.record('recording.disk', error, { room: room.id });
    this.#o.log.error({ room: room.id }, error.message);
    room.broadcast('recording', { active: false, refused: 'diskLow' });
  }

  #start(room: Room): void {
    this.#refused.delete(room.id);
    const continueFor = this.#o.continueFor;
    if (!continueFor) return this.#begin(room);
    // NODE-REC-2: first, whether this meeting's recording is one a dead node left (a store read,
    // a Redis survey); nothing else starts in the room until it answers.
    this.#claiming.add(room.id);
    void continueFor(room.id)
      .catch((error: unknown) => {
        this.#guard('continue', { room: room.id }, () => {
          throw error;
        });
        return undefined;
      })
      .then((continued) => {
        this.#claiming.delete(room.id);
        this.#guard('start', { room: room.id, recording: continued?.id }, () => {
          if (continued && (this.#closed || room.closed)) return this.#resumeAlone(continued);
          const wanted = !this.#closed && room.info.record && !room.closed && room.peerCount > 0 && room.media.producers().length > 0;
          if (continued || wanted) this.#begin(room, continued);
          // A continued recording whose room emptied meanwhile: its session stops at once, the recorder composes.
          this.#evaluate(room);
        });
      });
  }

  /**
   * NODE-REC-2: a recording claimed for continuation whose room closed (or this node began closing)
   * before its session began: its job is queued all the same; the recorder resumes it, finds the
   * session over and composes what was captured.
   */
  #resumeAlone(continued: RecordingInfo): void {
    const context = { room: continued.roomId, recording: continued.id };
    this.#o.log.warn(context, 'the room closed before a continued recording began: composed from what was captured');
    const start = this.#enqueue(continued.id, continued.roomId, continued.startedAt, this.#o.log.child(context));
    void start.run().then((outcome) => {
      if (outcome.kind === 'failed') {
        void start.discard();
        this.#track('start', context, this.#o.recordings.fail(continued.id, outcome.reason));
      }
    });
    this.#track('stop', context, this.#o.recordings.sessionEnded(continued.id));
  }

  /** REC-1: a session of `room`, under a new recording's id, or under `continued`'s (NODE-REC-2). */
  #begin(room: Room, continued?: RecordingInfo): void {
    const id = continued?.id ?? `rec_${crypto.randomBytes(12).toString('base64url')}`;
    const startedAt = continued?.startedAt ?? new Date().toISOString();
    const context = { room: room.id, recording: id };
    const log = this.#o.log.child(context);
    // The row first: the job is queued once it is stored; if the store fails, the session ends
    // and the next event tries again. A continued recording's row is there (claimed for this node).
    const row = continued ? Promise.resolve(continued) : this.#o.recordings.started(id, room.id, startedAt);
    const session = new RecordingSession(id, room, this.#o.listenIp, this.#o.rtpAllowed, log);
    this.#sessions.set(id, session);
    this.#byRoom.set(room.id, session);
    const start = this.#enqueue(id, room.id, startedAt, log);
    this.#starts.set(id, start);
    if (!continued) void row.then((info) => this.#guard('started', context, () => this.#o.onStarted?.(info)), () => undefined);
    void row
      .then(
        () => start.run(),
        (error: unknown) => {
          this.#guard('start', context, () => {
            if (this.#byRoom.get(room.id) === session) this.#stop(room, 'the recording could not be stored');
            throw error;
          });
          return { kind: 'cancelled' } as const;
        },
      )
      .then((outcome) => {
        this.#starts.delete(id);
        if (outcome.kind === 'failed') this.#guard('start', context, () => this.#failStart(room, session, start, outcome.reason));
      });
    log.info(continued ? 'recording continued (its node died)' : 'recording started');
    room.broadcast('recording', { active: true });
  }

  /** The job of a session (or of a continued recording: the recorder resumes its manifest), not queued yet. */
  #enqueue(id: string, roomId: string, startedAt: string, log: Logger): RecordingStart {
    const data: RecordingJobData = { recordingId: id, roomId, controlUrl: this.#o.controlUrl(), startedAt, mode: 'record' };
    return new RecordingStart(data, {
      queue: this.#o.queue,
      timeoutMs: this.#o.startTimeoutMs ?? 30_000,
      attempts: this.#o.startAttempts ?? 4,
      jobOptions: {
        attempts: this.#o.attempts ?? 3,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: 1000,
        removeOnFail: 1000,
      },
      log,
    });
  }

  /** REC-11: no recorder took the job: the session ends (if still running), the recording fails, everyone hears of it. */
  #failStart(room: Room, session: RecordingSession, start: RecordingStart, reason: string): void {
    const context = { room: room.id, recording: session.id };
    this.#o.faults?.record('recording.start', new Error(reason), context);
    this.#o.log.error({ ...context, reason }, 'recording failed: no recorder took it in time');
    if (this.#byRoom.get(room.id) === session) this.#stop(room, reason);
    void start.discard();
    // A recording already ended by a recorder's report (failed or ready) keeps what it said (RS-2).
    this.#track('start', context, this.#o.recordings.fail(session.id, reason));
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
    this.#track('stop', { room: room.id, recording: session.id }, this.#o.recordings.sessionEnded(session.id));
  }

  /** Every store write started so far has ended (a shutdown waits for them: RS-6). */
  async flushed(): Promise<void> {
    await Promise.all(this.#writes);
  }

  /** A store write of a step: kept until it ends, a failure counted as the step's (never thrown). */
  #track(step: string, context: Record<string, unknown>, write: Promise<unknown>): void {
    const settled = write.then(
      () => undefined,
      (error: unknown) => this.#guard(step, context, () => {
        throw error;
      }),
    );
    this.#writes.add(settled);
    void settled.then(() => this.#writes.delete(settled));
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

  /** Ends every session (their jobs go on composing what was captured); returns the ids of the sessions it ended. Idempotent. */
  close(): string[] {
    if (this.#closed) return [];
    this.#closed = true;
    this.#o.registry.off('roomopened', this.#onRoomOpened);
    this.#o.rooms.off('updated', this.#onRoomUpdated);
    for (const start of this.#starts.values()) start.cancel();
    const ended: string[] = [];
    for (const session of [...this.#byRoom.values()]) {
      ended.push(session.id);
      this.#guard('stop', { room: session.room.id, recording: session.id }, () => this.#stop(session.room, 'the server is closing'));
    }
    return ended;
  }
}
