/**
 * `npm run recorder`: the recording worker, alone (npm start spawns it too). It can run on another
 * machine: it needs Redis (REDIS_URL), the key of the server's internal channel (RECORDER_KEY) and
 * that server's URL (RECORDER_CONTROL_URL, the only one it contacts),
 * an address the SFU can send RTP to (RECORDER_RTP_IP), and the recordings folder the server
 * serves files from (RECORDINGS_DIR, shared storage when on another machine).
 */
import path from 'node:path';
import pino from 'pino';
import { recorderEnvSchema } from '@nomades/shared';
import { ControlUrls } from './ControlUrls.js';
import { DEFAULT_COMPOSE_LIMITS } from './compose.js';
import { RecorderWorker } from './RecorderWorker.js';

// FILE-1: tracks, SDPs, manifests and composed files (ffmpeg inherits it) are private to this user.
process.umask(0o077);

const env = recorderEnvSchema.safeParse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v)));

if (!env.success) {
  console.error(`recorder: invalid configuration:\n${env.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  process.exit(2);
}
const e = env.data;
const log = pino({ level: e.LOG_LEVEL, base: { name: 'recorder' }, redact: ['recorderKey'] });
const worker = new RecorderWorker({
  redisUrl: e.REDIS_URL,
  recorderKey: e.RECORDER_KEY,
  controlUrls: new ControlUrls(e.RECORDER_CONTROL_URL),
  recordingsDir: path.resolve(e.RECORDINGS_DIR ?? path.join(e.DATA_DIR, 'recordings')),
  rtpIp: e.RECORDER_RTP_IP,
  portRange: [e.RECORDER_MIN_PORT, e.RECORDER_MAX_PORT],
  concurrency: e.RECORDER_CONCURRENCY,
  queuePrefix: e.RECORDER_QUEUE_PREFIX,
  lockMs: e.RECORDER_LOCK_MS,
  stalledMs: Math.max(1000, Math.round(e.RECORDER_LOCK_MS / 2)),
  composeLimits: { ...DEFAULT_COMPOSE_LIMITS, stallMs: e.RECORDER_COMPOSE_STALL_S * 1000 },
  captureDeadlineMs: e.RECORDER_MAX_SESSION_H * 3600_000,
  segmentSec: e.RECORDER_SEGMENT_S,
  composeSlots: e.RECORDER_COMPOSE_SLOTS,
  log,
});
worker.ready().then(
  () => log.info({ pid: process.pid }, 'recorder ready'),
  (error) => log.error({ err: error }, 'recorder could not connect to redis'),
);
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'recorder shutting down');
  setTimeout(() => process.exit(1), 15_000).unref();
  worker.close().then(() => process.exit(0), () => process.exit(1));
};
// REC-10: a promise nobody awaited is logged and the recorder goes on; a thrown error leaves an
// unknown state, so the recorder exits and is restarted (npm start), its jobs resumed (REC-6).
process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection in the recorder'));
process.on('uncaughtException', (error) => {
  log.fatal({ err: error }, 'uncaught exception in the recorder: exiting, its jobs will be resumed');
  process.exit(1);
});
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
