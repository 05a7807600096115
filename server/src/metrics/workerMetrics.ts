import type { WorkerPool } from '@nomades/sfu';
import type { Metrics } from './Metrics.js';

/**
 * OPS-2: the mediasoup workers, labelled by slot index and pid (MEDIA_WORKERS of them: bounded; a
 * restarted worker starts a new series, its CPU time from zero). CPU time is the worker process's
 * own user + system time (mediasoup's getResourceUsage, milliseconds).
 */
export function workerMetrics(metrics: Metrics, pool: WorkerPool): void {
  const live = () => pool.workers.filter((w) => !w.worker.closed);
  metrics.counter({
    name: 'nomades_worker_cpu_seconds_total',
    help: 'CPU time (user + system) of each mediasoup worker process.',
    labelNames: ['worker', 'pid'],
    read: async () =>
      (await pool.resourceUsage()).map(({ index, pid, usage }) => ({
        labels: { worker: index, pid },
        value: (usage.ru_utime + usage.ru_stime) / 1000,
      })),
  });
  metrics.gauge({
    name: 'nomades_worker_consumers',
    help: 'Consumers on each mediasoup worker (WebRTC, pipe and recording taps): its load (PLACE-2).',
    labelNames: ['worker', 'pid'],
    read: () => live().map((w) => ({ labels: { worker: w.index, pid: w.worker.pid }, value: w.consumers })),
  });
  metrics.gauge({
    name: 'nomades_workers',
    help: 'mediasoup workers running (MEDIA_WORKERS when healthy).',
    read: () => live().length,
  });
}
