import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { AppError } from '@nomades/shared';
import { mediaCodecs } from './mediaCodecs.js';
import type { MediaWorker, SharedTcpPort, WorkerPoolEvents, WorkerPoolOptions } from './WorkerPoolTypes.js';

const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;
/** The longest rest of a slot that keeps failing (PLACE-4). */
const MAX_COOLDOWN_MS = 10 * 60_000;

/**
 * The mediasoup workers of this node, each with one WebRtcServer (one UDP and one TCP port),
 * and the placement of new rooms' routers on the least loaded worker. A worker that dies is
 * replaced (its rooms are closed and their participants told to rejoin).
 */
export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  readonly #workers: MediaWorker[] = [];
  readonly #options: WorkerPoolOptions;
  readonly #restarts = new Map<number, number[]>();
  /** PLACE-4: the rest of each slot that gave up (doubling), and the timers that end it. */
  readonly #cooldowns = new Map<number, number>();
  readonly #retryTimers = new Map<number, NodeJS.Timeout>();
  #closed = false;
  /** Pids of the workers close() signalled (exited() waits for them). */
  readonly #closingPids: number[] = [];

  private constructor(options: WorkerPoolOptions) {
    super();
    this.#options = options;
  }

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    if (options.workerBin) process.env.MEDIASOUP_WORKER_BIN = options.workerBin;
    try {
      for (let index = 0; index < options.numWorkers; index++) pool.#workers.push(await pool.#startWorker(index));
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  async #startWorker(index: number): Promise<MediaWorker> {
    const options = this.#options;
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
    let webRtcServer: types.WebRtcServer;
    try {
      webRtcServer = await worker.createWebRtcServer({ listenInfos: [listen('udp'), listen('tcp')] });
    } catch (error) {
      worker.close();
      throw error;
    }
    const entry: MediaWorker = { index, worker, webRtcServer, routers: 0, consumers: 0 };
    worker.observer.on('newrouter', (router) => {
      router.observer.on('newtransport', (transport) => {
        transport.observer.on('newconsumer', (consumer) => {
          entry.consumers++;
          consumer.observer.once('close', () => entry.consumers--);
        });
      });
    });
    worker.on('died', (error) => {
      if (this.#closed) return;
      this.emit('workerdied', index, error);
      void this.#respawn(index);
    });
    return entry;
  }

  /**
   * Replaces a dead worker (its rooms were closed by mediasoup and their peers told). A slot that
   * died MAX_RESTARTS times within RESTART_WINDOW_MS, or whose worker cannot start, rests for a
   * cooldown (PLACE-4: 60 s, doubling up to 10 min while it keeps failing), then is tried again:
   * a crash loop is slowed down, and a server never stays without media for good.
   */
  async #respawn(index: number): Promise<void> {
    if (this.#closed) return;
    const now = Date.now();
    const recent = (this.#restarts.get(index) ?? []).filter((t) => now - t < RESTART_WINDOW_MS);
    if (recent.length >= MAX_RESTARTS) return this.#rest(index);
    this.#restarts.set(index, [...recent, now]);
    try {
      const entry = await this.#startWorker(index);
      if (this.#closed) return entry.worker.close();
      this.#workers[index] = entry;
      this.emit('workerrestarted', index, entry.worker.pid);
    } catch {
      this.#rest(index);
    }
  }

  #rest(index: number): void {
    if (this.#closed) return;
    const previous = this.#cooldowns.get(index);
    const ms = previous === undefined ? (this.#options.restartCooldownMs ?? RESTART_WINDOW_MS) : Math.min(previous * 2, MAX_COOLDOWN_MS);
    this.#cooldowns.set(index, ms);
    this.emit('workergaveup', index, ms);
    clearTimeout(this.#retryTimers.get(index));
    const timer = setTimeout(() => {
      this.#retryTimers.delete(index);
      this.#restarts.delete(index);
      void this.#respawn(index).then(() => {
        // Healthy again once its new worker has lived a whole window.
        const w = this.#workers[index];
        if (w && !w.worker.closed) setTimeout(() => !w.worker.closed && this.#cooldowns.delete(index), RESTART_WINDOW_MS).unref();
      });
    }, ms);
    timer.unref();
    this.#retryTimers.set(index, timer);
  }

  get workers(): readonly MediaWorker[] {
    return this.#workers;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** REACH-1: the shared HTTP port transports also announce, if any. */
  get sharedTcpPort(): SharedTcpPort | undefined {
    return this.#options.sharedTcpPort;
  }

  /** Where this node's media listens, and the address announced for it: node pipes use it by default (SPAN-3). */
  get mediaAddress(): { listenIp: string; announcedIp?: string } {
    return { listenIp: this.#options.listenIp, announcedIp: this.#options.announcedIp };
  }

  /** A worker is busy when it carries maxConsumersPerWorker consumers or more (PLACE-2). */
  isBusy(index: number): boolean {
    const w = this.#workers[index];
    return !w || w.worker.closed || w.consumers >= (this.#options.maxConsumersPerWorker ?? 500);
  }

  /**
   * The least loaded live worker (fewest consumers, then fewest routers, then lowest index),
   * optionally among those not in `exclude` (PLACE-1).
   */
  leastLoaded(exclude: ReadonlySet<number> = new Set()): MediaWorker | undefined {
    return this.#workers
      .filter((w) => !w.worker.closed && !exclude.has(w.index))
      .sort((a, b) => a.consumers - b.consumers || a.routers - b.routers || a.index - b.index)[0];
  }

  /** Creates a router on the least loaded worker, or on worker `on` when given. */
  async createRouter(appData: Record<string, unknown>, on?: MediaWorker): Promise<{ router: types.Router; host: MediaWorker }> {
    if (this.#closed) throw new AppError('UNAVAILABLE', 'media workers are shutting down');
    const host = on ?? this.leastLoaded();
    if (!host || host.worker.closed) throw new AppError('UNAVAILABLE', 'no media worker is running');
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
    for (const timer of this.#retryTimers.values()) clearTimeout(timer);
    this.#retryTimers.clear();
    for (const w of this.#workers) {
      this.#closingPids.push(w.worker.pid);
      w.worker.close();
    }
  }

  /**
   * After close(): resolves once the worker processes have exited (mediasoup's close() only signals
   * them), at most `timeoutMs`; so that a stopped server leaves no process behind it.
   */
  async exited(timeoutMs = 3_000): Promise<void> {
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + timeoutMs;
    while (this.#closingPids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}
