import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Router } from 'express';
import { RECORDING_QUEUE } from '@nomades/shared';
import type { Config } from '../config/Config.js';
import type { Logger } from '../logging/logger.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { RoomStore } from '../store/RoomStore.js';
import { internalRouter } from './internalRouter.js';
import { RecorderProcess } from './RecorderProcess.js';
import { RecordingManager } from './RecordingManager.js';
import { recordingsRouter } from './recordingsRouter.js';
import { RecordingStore } from './RecordingStore.js';

export interface RecordingServiceOptions {
  config: Config;
  adminKey: string;
  registry: RoomRegistry;
  rooms: RoomStore;
  /** This server's own base URL (for the recorder's control channel). */
  controlUrl: () => string;
  /** Extra environment of the recorder child process (tests: shorter BullMQ locks). */
  recorderEnv?: Record<string, string>;
  log: Logger;
}

/**
 * Recording, composed: metadata store, API routes, and when Redis is configured the BullMQ queue,
 * the trigger (RecordingManager) and the recorder child process. Without REDIS_URL nothing is
 * recorded (a flagged room logs a warning) but existing recordings stay listed and downloadable.
 */
export class RecordingService {
  readonly store: RecordingStore;
  readonly recorderKey: string;
  readonly queue?: Queue;
  readonly manager?: RecordingManager;
  readonly recorder?: RecorderProcess;
  readonly #connection?: Redis;
  readonly #o: RecordingServiceOptions;
  #closing?: Promise<void>;

  constructor(options: RecordingServiceOptions) {
    const { config, log } = options;
    this.#o = options;
    this.store = new RecordingStore(config.dataDir);
    this.recorderKey = config.recorderKey ?? options.adminKey;
    if (!config.redisUrl) {
      options.registry.on('roomopened', (room) => {
        if (room.info.record) log.warn({ room: room.id }, 'room flagged for recording, but recording is off (no Redis)');
      });
      return;
    }
    this.#connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
    this.#connection.on('error', (error) => log.warn({ err: error }, 'redis connection error (recording queue)'));
    this.queue = new Queue(RECORDING_QUEUE, { connection: this.#connection });
    this.queue.on('error', (error) => log.warn({ err: error }, 'recording queue error'));
    this.manager = new RecordingManager({
      registry: options.registry,
      rooms: options.rooms,
      recordings: this.store,
      queue: this.queue,
      controlUrl: () => config.recordingControlUrl ?? options.controlUrl(),
      listenIp: config.rtcListenIp,
      log: log.child({ name: 'recording' }),
    });
    if (config.recorder === 'process') {
      const rtpIp = config.rtcListenIp === '0.0.0.0' || config.rtcListenIp === '::' ? '127.0.0.1' : config.rtcListenIp;
      this.recorder = new RecorderProcess(
        {
          REDIS_URL: config.redisUrl,
          RECORDER_KEY: this.recorderKey,
          RECORDINGS_DIR: config.recordingsDir,
          RECORDER_RTP_IP: rtpIp,
          LOG_LEVEL: config.logLevel,
          ...options.recorderEnv,
        },
        log.child({ name: 'recorder' }),
      );
    }
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

  /** /api routes: a room's recordings, download, delete (admin key). */
  apiRouter(): Router {
    return recordingsRouter({
      adminKey: this.#o.adminKey,
      rooms: this.#o.rooms,
      recordings: this.store,
      recordingsDir: this.#o.config.recordingsDir,
      removeJob: async (id) => {
        await this.queue?.remove(id);
      },
    });
  }

  /** /internal/recordings: the recorders' channel (RECORDER_KEY). */
  internalRouter(): Router {
    return internalRouter({ recorderKey: this.recorderKey, recordings: this.store, manager: this.manager, log: this.#o.log.child({ name: 'recording' }) });
  }

  /** Ends sessions, stops the recorder process, disconnects, closes the store. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.manager?.close();
      await this.recorder?.close();
      await this.queue?.close().catch(() => undefined);
      this.#connection?.disconnect();
      this.store.close();
    })();
    return this.#closing;
  }
}
