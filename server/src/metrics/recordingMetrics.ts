import { recordingStatusSchema } from '@nomades/shared';
import type { RecordingService } from '../recording/RecordingService.js';
import type { Metrics } from './Metrics.js';

/** BullMQ states counted by `nomades_recording_queue_jobs`. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'paused', 'failed', 'completed'] as const;

/**
 * OPS-2: recordings by status (the store's rows) and the recording queue's jobs by BullMQ state.
 * The queue is only asked while its Redis connection is ready (a scrape never waits for Redis to
 * come back; its absence shows as no `nomades_recording_queue_jobs` samples and in /healthz).
 */
export function recordingMetrics(metrics: Metrics, recording: RecordingService): void {
  metrics.gauge({
    name: 'nomades_recordings',
    help: 'Recordings known to this server, by status (recording, processing, ready, failed).',
    labelNames: ['status'],
    read: async () => {
      const counts = await recording.store.countByStatus();
      return recordingStatusSchema.options.map((status) => ({ labels: { status }, value: counts[status] ?? 0 }));
    },
  });
  metrics.gauge({
    name: 'nomades_recordings_disk_free_bytes',
    help: 'Free bytes on the file system of RECORDINGS_DIR (DISK-2); new recordings do not start below RECORDINGS_MIN_FREE_MB.',
    read: () => recording.disk.health().freeBytes,
  });
  metrics.gauge({
    name: 'nomades_recording_queue_jobs',
    help: 'Jobs of the recording queue (BullMQ), by state; absent while the queue is off or unreachable.',
    labelNames: ['state'],
    read: async () => {
      const queue = recording.queue;
      if (!queue || recording.health().queue !== 'ok') return [];
      const counts = await queue.getJobCounts(...QUEUE_STATES);
      return QUEUE_STATES.map((state) => ({ labels: { state }, value: counts[state] ?? 0 }));
    },
  });
}
