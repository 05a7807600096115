import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Router } from 'express';
import { AppError, RECORDING_QUEUE, recordingQueuePrefix, recordingIdSchema, recordingLayout, type RecordingInfo, type RecordingJobData } from '@nomades/shared';
import type { Config } from '../config/Config.js';
import { privateDir } from '../config/privateDir.js';
import type { Logger } from '../logging/logger.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { RecordingStore } from '../store/RecordingStore.js';
import type { RoomStore } from '../store/RoomStore.js';
import type { Webhooks } from '../webhooks/WebhookTypes.js';
import { CaptionsService } from './captions/CaptionsService.js';
import { internalRouter } from './internalRouter.js';
import { RecorderMonitor, type RecordingHealth } from './RecorderMonitor.js';
import { RecorderProcess } from './RecorderProcess.js';
import { loadRecordingConfig } from './recordingConfig.js';
import { RecordingDisk, type RecordingDiskHealth } from './RecordingDisk.js';
import { RecordingLifecycle } from './RecordingLifecycle.js';
import { RecordingManager } from './RecordingManager.js';
import { RecordingTakeover } from './RecordingTakeover.js';
import { recordingsRouter, type RecordingsRouterDeps } from './recordingsRouter.js';

/** Where background failures go (NomadesServer's FaultLog: logged with context, seen in /healthz). */
export interface FaultSink {
  record(source: string, error: unknown, context?: Record<string, unknown>): void;
}

export interface RecordingServiceOptions {
  config: Config;
  adminKey: string;
  /** Key of the recorders' channel (ensureSecrets: configured, or generated; never the admin key). */
  recorderKey: string;
  registry: RoomRegistry;
  rooms: RoomStore;
  /** Recording metadata (the store layer). */
  recordings: RecordingStore;
  /** NODE-8: with several nodes, this node's id: its recorder takes only this node's jobs. */
  nodeId?: string;
  /** NODE-REC-2: with several nodes, which of these nodes are dead (the directory's live nodes). */
  goneNodes?: (nodeIds: string[]) => Promise<string[]>;
  /** This server's own base URL (for the recorder's control channel). */
  controlUrl: () => string;
  /** Extra environment of the recorder child process (tests: shorter BullMQ locks). */
  recorderEnv?: Record<string, string>;
  faults?: FaultSink;
  /** Where `recording.failed` and `recording.ready` go (WEBHOOK_URL, HOOK-5). */
  webhooks?: Pick<Webhooks, 'emit'>;
  /** RECORDING_START_* (REC-11); process.env by default. */
  env?: NodeJS.ProcessEnv;
  log: Logger;
}

/** How long a shutdown waits for the recordings in progress to be composed and reported. */
export const RECORDING_FINISH_TIMEOUT_MS = 20_000;

/**
 * Recording, composed: metadata store, API routes, and when Redis is configured the BullMQ queue,
 * the trigger (RecordingManager) and the recorder child process. Without REDIS_URL nothing is
 * recorded (a flagged room logs a warning) but existing recordings stay listed and downloadable.
 * The recorder child process starts with startRecorder(), once the server listens (its control
 * URL, the only one it will contact, is then known: REC-8).
 */
export class RecordingService {
  readonly store: RecordingStore;
  /** CAP-n: the recordings' captions (captions/). */
  readonly captions: CaptionsService;
  readonly recorderKey: string;
  readonly queue?: Queue;
  readonly manager?: RecordingManager;
  /** Addresses recording taps may send RTP to (REC-9). */
  readonly rtpAllowed: readonly string[];
  readonly #connection?: Redis;
  readonly #monitor?: RecorderMonitor;
  /** The owner of every recording's state (RS-1…RS-6). */
  readonly lifecycle: RecordingLifecycle;
  /** DISK-1/2: the disk of RECORDINGS_DIR. */
  readonly disk: RecordingDisk;
  #recorder?: RecorderProcess;
  /** NODE-REC-1: with several nodes, what takes over a dead node's recordings. */
  readonly #takeover?: RecordingTakeover;
  readonly #o: RecordingServiceOptions;
  #closing?: Promise<void>;

  constructor(options: RecordingServiceOptions) {
    const { config, log } = options;
    this.#o = options;
    if (options.recorderKey === options.adminKey) throw new Error('the recorder key must not be the admin key');
    privateDir(config.recordingsDir);
    const startConfig = loadRecordingConfig(options.env);
    this.store = options.recordings;
    this.disk = new RecordingDisk(config.recordingsDir, startConfig.minFreeBytes);
    this.captions = new CaptionsService({ recordingsDir: config.recordingsDir, webhooks: options.webhooks, env: options.env, log: log.child({ name: 'captions' }) });
    this.lifecycle = new RecordingLifecycle(this.store, log.child({ name: 'recording' }), options.nodeId);
    this.lifecycle.on('changed', recordingWebhooks(options.webhooks));
    this.lifecycle.on('changed', (info) => this.#tellHosts(info));
    this.recorderKey = options.recorderKey;
    this.rtpAllowed = config.recorderRtpAllowed ?? [...new Set(['127.0.0.1', '::1', this.#childRtpIp()])];
    if (!config.redisUrl) {
      options.registry.on('roomopened', (room) => {
        if (room.info.record) log.warn({ room: room.id }, 'room flagged for recording, but recording is off (no Redis)');
      });
      return;
    }
    this.#connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
    const redis = redisAddress(config.redisUrl);
    this.#connection.on('error', (error) => log.warn({ err: error, redis }, 'redis connection error (recording queue)'));
    this.queue = new Queue(RECORDING_QUEUE, { connection: this.#connection, prefix: recordingQueuePrefix(options.nodeId) });
    this.queue.on('error', (error) => log.warn({ err: error }, 'recording queue error'));
    this.#monitor = new RecorderMonitor(this.queue, this.#connection);
    if (options.nodeId) {
      this.#takeover = new RecordingTakeover({
        nodeId: options.nodeId,
        lifecycle: this.lifecycle,
        queue: this.queue,
        recordingsDir: config.recordingsDir,
        controlUrl: () => this.#controlUrl(),
        removeDeadJob: (deadNodeId, id) => this.#removeDeadJob(deadNodeId, id),
        goneNodes: options.goneNodes ?? (async () => []),
        graceMs: startConfig.continueGraceMs,
        log: log.child({ name: 'recording' }),
      });
    }
    const takeover = this.#takeover;
    this.manager = new RecordingManager({
      registry: options.registry,
      rooms: options.rooms,
      recordings: this.lifecycle,
      queue: this.queue,
      controlUrl: () => this.#controlUrl(),
      listenIp: config.rtcListenIp,
      rtpAllowed: this.rtpAllowed,
      startTimeoutMs: startConfig.startTimeoutMs,
      startAttempts: startConfig.startAttempts,
      disk: this.disk,
      faults: options.faults,
      onStarted: takeover
        ? (info) => void takeover.started(info).catch((error: unknown) => this.#fault('recording.takeover', error, { recording: info.id, room: info.roomId }))
        : undefined,
      continueFor: takeover ? (roomId) => takeover.continueFor(roomId) : undefined,
      log: log.child({ name: 'recording' }),
    });
  }

  /**
   * NODE-REC-1: another node died (ClusterNode's `nodeDown`): the recordings it left `recording`
   * or `processing` that this node wins are composed here from what was captured. The ids taken
   * (none on one node, without a queue, or when another survivor was first). Never rejects.
   */
  async adoptFrom(deadNodeId: string): Promise<string[]> {
    if (!this.#takeover || this.#closing) return [];
    try {
      return await this.#takeover.adoptFrom(deadNodeId);
    } catch (error) {
      this.#fault('recording.takeover', error, { dead: deadNodeId });
      return [];
    }
  }

  /**
   * NODE-REC-1: removes a taken-over recording's job from a dead node's queue (NODE-8's prefix).
   * BullMQ does not remove an active job while its lock lives (the dead recorder's,
   * RECORDER_LOCK_MS: 10 s by default), so this tries again every 2.5 s for 40 s.
   */
  async #removeDeadJob(deadNodeId: string, id: string): Promise<boolean> {
    if (!this.#connection) return false;
    const queue = new Queue(RECORDING_QUEUE, { connection: this.#connection, prefix: recordingQueuePrefix(deadNodeId) });
    queue.on('error', () => undefined);
    try {
      for (let attempt = 0; attempt < 16 && !this.#closing; attempt++) {
        if ((await queue.remove(id)) === 1 || !(await queue.getJob(id))) return true;
        await new Promise((r) => setTimeout(r, 2_500).unref());
      }
      return false;
    } catch (error) {
      this.#o.log.warn({ err: error, recording: id, dead: deadNodeId }, 'could not remove a dead node\'s recording job');
      return false;
    } finally {
      await queue.close().catch(() => undefined); // the connection is shared: it stays open
    }
  }

  /**
   * NODE-REC-1, at a start: deaths no live node saw (every node down at once, a node replaced
   * under a new id) left recordings that no `nodeDown` will ever name. `gone` answers which of the
   * nodes that hold unfinished recordings are dead (ClusterNode.goneNodes); this node takes
   * those over as if it had heard of the deaths. The ids taken. Never rejects.
   */
  async adoptOrphans(gone: (nodeIds: string[]) => Promise<string[]>): Promise<string[]> {
    if (!this.#takeover || this.#closing) return [];
    try {
      const holders = (await this.store.unfinishedNodes()).filter((id) => id !== this.#o.nodeId);
      const dead = holders.length ? await gone(holders) : [];
      const taken: string[] = [];
      for (const id of dead) taken.push(...(await this.adoptFrom(id)));
      return taken;
    } catch (error) {
      this.#fault('recording.takeover', error, {});
      return [];
    }
  }

  #fault(source: string, error: unknown, context: Record<string, unknown>): void {
    this.#o.faults?.record(source, error, context);
    this.#o.log.error({ ...context, err: error }, 'recording: a background step failed');
  }

  /** The Redis connection of the queue (REDIS_URL), shared with the webhook queue; closed by close(). */
  get redis(): Redis | undefined {
    return this.#connection;
  }

  /** The recorder child process, once started (RECORDER=process). */
  get recorder(): RecorderProcess | undefined {
    return this.#recorder;
  }

  /**
   * Starts the recorder child process (RECORDER=process, Redis configured), with this server's
   * control URL as the only one it may contact. Call once the server listens. Idempotent.
   */
  startRecorder(): void {
    const { config } = this.#o;
    if (this.#recorder || this.#closing || !config.redisUrl || config.recorder !== 'process') return;
    this.#recorder = new RecorderProcess(
      {
        REDIS_URL: config.redisUrl,
        RECORDER_KEY: this.recorderKey,
        RECORDER_CONTROL_URL: this.#controlUrl(),
        RECORDER_QUEUE_PREFIX: recordingQueuePrefix(this.#o.nodeId),
        RECORDINGS_DIR: config.recordingsDir,
        RECORDER_RTP_IP: this.#childRtpIp(),
        LOG_LEVEL: config.logLevel,
        ...this.#o.recorderEnv,
      },
      this.#o.log.child({ name: 'recorder' }),
    );
  }

  /** REC-14: the room's hosts present now hear of each change of one of its recordings. Never throws (it runs inside a report). */
  #tellHosts(info: RecordingInfo): void {
    try {
      const room = this.#o.registry.get(info.roomId);
      if (!room || room.closed) return;
      for (const peer of room.peers()) if (peer.role === 'host') peer.notify('recordingStatus', { recordingId: info.id, status: info.status });
    } catch (error) {
      this.#o.log.warn({ err: error, recording: info.id, room: info.roomId }, 'could not tell the hosts of a recording\'s status');
    }
  }

  #controlUrl(): string {
    return this.#o.config.recordingControlUrl ?? this.#o.controlUrl();
  }

  /** The address the child recorder's ffmpeg listens on (the SFU's listen address, loopback for a wildcard). */
  #childRtpIp(): string {
    const ip = this.#o.config.rtcListenIp;
    return ip === '0.0.0.0' || ip === '::' ? '127.0.0.1' : ip;
  }

  /** Resolves once a recorder (any process) listens on the queue; false after `timeoutMs`. */
  async recorderReady(timeoutMs = 20_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue && Date.now() < deadline) {
      if ((await this.queue.getWorkersCount().catch(() => 0)) > 0) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  /** `/healthz`'s `recording` entry: the queue reachable or not, recorders listening (REC-11). */
  health(): RecordingHealth & { disk: RecordingDiskHealth } {
    const disk = this.disk.health();
    const queue = this.#monitor?.health() ?? { queue: 'off' as const, recorders: 0, status: 'off' as const };
    // DISK-2: a low disk degrades recording even when the queue and recorders are fine.
    return { ...queue, status: disk.low && queue.status === 'ok' ? 'degraded' : queue.status, disk };
  }

  /** /api routes: a room's recordings, download, delete (admin key). */
  apiRouter(viewers?: RecordingsRouterDeps['viewers']): Router {
    return recordingsRouter({
      adminKey: this.#o.adminKey,
      rooms: this.#o.rooms,
      recordings: this.store,
      recordingsDir: this.#o.config.recordingsDir,
      removeJob: async (id) => {
        await this.queue?.remove(id);
      },
      deleteRecording: (recording) => this.deleteRecording(recording, 'admin'),
      recompose: (id) => this.recompose(id),
      viewers,
      captions: this.captions,
    });
  }

  /**
   * Deletes a finished recording (RET-1 by retention, the admin's DELETE, or with its room, ROOM-7): its queue job, its
   * folder (tracks and file), its row; then `recording.deleted` (HOOK-5).
   */
  async deleteRecording(recording: RecordingInfo, reason: 'retention' | 'admin' | 'room-deleted'): Promise<void> {
    const id = recordingIdSchema.parse(recording.id);
    await this.queue?.remove(id).catch(() => undefined);
    fs.rmSync(path.join(this.#o.config.recordingsDir, id), { recursive: true, force: true });
    await this.store.delete(id);
    this.#o.log.info({ recording: id, room: recording.roomId, reason }, 'recording deleted');
    this.#o.webhooks?.emit('recording.deleted', { roomId: recording.roomId, recordingId: id, startedAt: recording.startedAt, reason, deletedAt: new Date().toISOString() });
  }

  /**
   * RS-5 / COMP-5: composes a finished (`failed` or `ready`) recording again from its kept tracks:
   * a job of mode `compose` (the same job id) that any recorder takes; the recording is
   * `processing` until that recorder reports. 409 while it is not finished or no track is kept,
   * 503 without a queue.
   */
  async recompose(id: string): Promise<RecordingInfo> {
    const current = await this.store.get(recordingIdSchema.parse(id));
    if (!current) throw new AppError('NOT_FOUND', 'no such recording');
    if (!this.queue) throw new AppError('UNAVAILABLE', 'recording is off on this server (no Redis): nothing can compose');
    if (!fs.existsSync(recordingLayout.manifest(this.#o.config.recordingsDir, current.id))) {
      throw new AppError('CONFLICT', 'no captured track of this recording is kept');
    }
    const info = await this.lifecycle.recompose(current.id);
    const data: RecordingJobData = { recordingId: current.id, roomId: current.roomId, controlUrl: this.#controlUrl(), startedAt: current.startedAt, mode: 'compose' };
    try {
      await this.queue.remove(current.id);
      await this.queue.add('compose', data, { jobId: current.id, attempts: 1, removeOnComplete: 1000, removeOnFail: 1000 });
    } catch (error) {
      const reason = `the composition could not be queued: ${(error as Error).message}`;
      await this.lifecycle.fail(current.id, reason);
      throw new AppError('UNAVAILABLE', reason);
    }
    this.#o.log.info({ recording: current.id, room: current.roomId }, 'recording composed again on request');
    return info;
  }

  /** /internal/recordings: the recorders' channel (RECORDER_KEY). */
  internalRouter(): Router {
    return internalRouter({ recorderKey: this.recorderKey, recordings: this.lifecycle, manager: this.manager, nodeId: this.#o.nodeId });
  }

  /** Ends sessions, stops the recorder process, disconnects (the store is the server's to close). Idempotent. */
  /**
   * Shutdown, step one, while the HTTP server still answers the recorders (SIGTERM, issue 11):
   * ends every session and waits, at most `timeoutMs`, until each has been composed and reported
   * (`ready` or `failed`), so that a restart loses no recording it had started. Returns what was
   * still unfinished at the deadline (a recorder picks it up again, REC-6, if its queue survives).
   */
  async finishSessions(timeoutMs = RECORDING_FINISH_TIMEOUT_MS): Promise<string[]> {
    const ended = this.manager?.close() ?? [];
    await this.manager?.flushed();
    // Known finished, from the changes of status (RS-6: woken by them, not by polling the store).
    const finished = new Set<string>();
    const onChange = (info: RecordingInfo) => {
      if (info.status === 'ready' || info.status === 'failed') finished.add(info.id);
    };
    this.lifecycle.on('changed', onChange);
    try {
      for (const id of ended) {
        const status = (await this.store.get(id).catch(() => undefined))?.status ?? 'failed';
        if (status === 'ready' || status === 'failed') finished.add(id);
      }
      const unfinished = () => ended.filter((id) => !finished.has(id));
      if (unfinished().length) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.lifecycle.off('changed', check);
            resolve();
          };
          const check = () => {
            if (unfinished().length === 0) done();
          };
          const timer = setTimeout(done, timeoutMs);
          this.lifecycle.on('changed', check);
          check();
        });
      }
    } finally {
      this.lifecycle.off('changed', onChange);
    }
    const left = ended.filter((id) => !finished.has(id));
    if (ended.length) this.#o.log.info({ finished: ended.length - left.length, unfinished: left }, 'recordings in progress at shutdown');
    return left;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.manager?.close();
      this.#takeover?.close();
      this.#monitor?.close();
      await this.#recorder?.close();
      await this.queue?.close().catch(() => undefined);
      this.#connection?.disconnect();
    })();
    return this.#closing;
  }
}

/** HOOK-5: a recording's end as webhook events; the download path is the admin route of its file. */
function recordingWebhooks(webhooks?: Pick<Webhooks, 'emit'>): (r: RecordingInfo) => void {
  const base = (r: RecordingInfo) => ({ roomId: r.roomId, recordingId: r.id, startedAt: r.startedAt, endedAt: r.endedAt, durationMs: r.durationMs });
  return (r) => {
    if (r.status === 'failed') webhooks?.emit('recording.failed', { ...base(r), error: r.error ?? 'the recording failed' });
    if (r.status === 'ready') webhooks?.emit('recording.ready', { ...base(r), sizeBytes: r.sizeBytes, downloadPath: recordingDownloadPath(r.id) });
  };
}

/** A recording's file with the admin key (GET /api/recordings/:id/file). */
export function recordingDownloadPath(id: string): string {
  return `/api/recordings/${encodeURIComponent(id)}/file`;
}

/** A Redis URL without its credentials, for logs. */
function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return 'redis';
  }
}
