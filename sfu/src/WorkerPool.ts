import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { AppError } from '@nomades/shared';
import { mediaCodecs } from './mediaCodecs.js';
import type { MediaWorker, WorkerPoolEvents, WorkerPoolOptions } from './WorkerPoolTypes.js';

/**
 * The mediasoup workers of this node, each with one WebRtcServer (one UDP and one TCP port),
 * and the placement of new rooms' routers on the least loaded worker.
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #workers: MediaWorker[] = [];
  #closed = false;

  private constructor() {
    super();
  }

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool();
    if (options.workerBin) process.env.MEDIASOUP_WORKER_BIN = options.workerBin;
    try {
      for (let index = 0; index < options.numWorkers; index++) {
        pool.#workers.push(await WorkerPool.#startWorker(pool, index, options));
      }
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  static async #startWorker(pool: WorkerPool, index: number, options: WorkerPoolOptions): Promise<MediaWorker> {
    const worker = await mediasoup.createWorker({
      logLevel: options.logLevel ?? 'warn',
      rtcMinPort: options.rtcMinPort,
      rtcMaxPort: options.rtcMaxPort,
      appData: { index },
    });
    const listen = (protocol: 'udp' | 'tcp'): types.WebRtcServerListenInfo => ({
      protocol,
      ip: options.listenIp,
      announcedIp: options.announcedIp,
      ...(options.basePort > 0 ? { port: options.basePort + index } : {}),
    });
    const webRtcServer = await worker.createWebRtcServer({ listenInfos: [listen('udp'), listen('tcp')] });
    const entry: MediaWorker = { index, worker, webRtcServer, routers: 0 };
    worker.on('died', (error) => {
      if (pool.#closed) return;
      pool.emit('workerdied', index, error);
    });
    return entry;
  }

  get workers(): readonly MediaWorker[] {
    return this.#workers;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Creates a router on the worker hosting the fewest routers (ties: lowest index). */
  async createRouter(appData: Record<string, unknown>): Promise<{ router: types.Router; host: MediaWorker }> {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'media workers are shutting down');
    const alive = this.#workers.filter((w) => !w.worker.closed);
    if (alive.length === 0) throw new AppError('UNAVAILABLE', 'no media worker is running');
    const host = alive.reduce((best, w) => (w.routers < best.routers ? w : best));
    const router = await host.worker.createRouter({ mediaCodecs, appData });
    host.routers++;
    router.observer.once('close', () => {
      host.routers--;
    });
    return { router, host };
  }

  async resourceUsage(): Promise<Array<{ index: number; pid: number; usage: types.WorkerResourceUsage }>> {
    return Promise.all(
      this.#workers
        .filter((w) => !w.worker.closed)
        .map(async (w) => ({ index: w.index, pid: w.worker.pid, usage: await w.worker.getResourceUsage() })),
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#workers) w.worker.close();
  }
}
