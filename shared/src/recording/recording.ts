import { z } from 'zod';
import { roomIdSchema } from '../token.js';

/**
 * Recordings: the admin API's answers, and the internal channel between the server (which owns
 * the SFU) and the recorder process (BullMQ worker + ffmpeg), documented in recorder/README.md.
 */
export const recordingIdSchema = z.string().regex(/^rec_[A-Za-z0-9_-]{8,40}$/, 'not a recording id');

export const recordingStatusSchema = z.enum(['recording', 'processing', 'ready', 'failed']);
export type RecordingStatus = z.infer<typeof recordingStatusSchema>;

/** GET /api/rooms/:id/recordings → { recordings: RecordingInfo[] } */
export const recordingInfoSchema = z.object({
  id: recordingIdSchema,
  roomId: z.string(),
  status: recordingStatusSchema,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  durationMs: z.number().int().nonnegative(),
  sizeBytes: z.number().int().nonnegative(),
  /** 0..100: composition progress while processing (100 once ready). */
  progress: z.number().min(0).max(100),
  /** Why it failed. */
  error: z.string().optional(),
  /** What happened on the way (e.g. the recorder was restarted and resumed). */
  note: z.string().optional(),
  /** COMP-7: while its composition waits for a slot of the recorder, how many are ahead of it. */
  queuePosition: z.number().int().nonnegative().optional(),
  /** NODE-REC-1: with several nodes, the node that records it (or composes it, once it took it over). */
  nodeId: z.string().optional(),
});
export type RecordingInfo = z.infer<typeof recordingInfoSchema>;

/** Data of a BullMQ job of the queue `recordings` (jobId = recordingId). */
export const recordingJobDataSchema = z.object({
  recordingId: recordingIdSchema,
  roomId: roomIdSchema,
  /** Base URL of the server that hosts the room: the recorder's control channel. */
  controlUrl: z.string().url(),
  startedAt: z.string(),
  /** COMP-5: `compose` composes the kept tracks again (an operator's recompose), capturing nothing. */
  mode: z.enum(['record', 'compose']).default('record'),
});
/** What a job is given (`mode` defaults to `record`). */
export type RecordingJobData = z.input<typeof recordingJobDataSchema>;

/** Return value of a completed job. */
export const recordingJobResultSchema = z.object({ durationMs: z.number(), sizeBytes: z.number(), tracks: z.number() });
export type RecordingJobResult = z.infer<typeof recordingJobResultSchema>;

const id = z.string().min(1).max(64);

/** One producer of the room the recorder should capture. */
export const recordingStreamSchema = z.object({
  producerId: id,
  peerId: id,
  /**
   * The person (token `sub`): the same across a full rejoin, when peerId and producerId change,
   * so the composer keeps one tile per identity.
   */
  identity: id,
  displayName: z.string(),
  kind: z.enum(['audio', 'video']),
  source: z.enum(['microphone', 'camera', 'screen', 'screen-audio']),
});
export type RecordingStream = z.infer<typeof recordingStreamSchema>;

/** GET /internal/recordings/:id/streams: `active` false once the session ended (room empty, flag off). */
export const recordingStreamsResponseSchema = z.object({ active: z.boolean(), streams: z.array(recordingStreamSchema) });
export type RecordingStreamsResponse = z.infer<typeof recordingStreamsResponseSchema>;

/** POST /internal/recordings/:id/taps: send this producer's RTP (and RTCP) to ip:rtpPort / rtcpPort. */
export const tapRequestSchema = z
  .object({
    producerId: id,
    ip: z.string().ip(),
    rtpPort: z.number().int().min(1024).max(65535),
    rtcpPort: z.number().int().min(1024).max(65535),
  })
  .strict();
export type TapRequest = z.infer<typeof tapRequestSchema>;

/** What ffmpeg needs to write the SDP of a tap (the consumer starts paused). */
export const tapResponseSchema = z.object({
  tapId: z.string(),
  kind: z.enum(['audio', 'video']),
  mimeType: z.string(),
  payloadType: z.number().int(),
  clockRate: z.number().int(),
  channels: z.number().int().optional(),
  ssrc: z.number().int().optional(),
});
export type TapResponse = z.infer<typeof tapResponseSchema>;

/** POST /internal/recordings/:id/report: the recorder tells the server where the job is. */
export const recordingReportSchema = z
  .object({
    status: recordingStatusSchema.optional(),
    progress: z.number().min(0).max(100).optional(),
    durationMs: z.number().int().nonnegative().optional(),
    sizeBytes: z.number().int().nonnegative().optional(),
    error: z.string().max(2000).optional(),
    note: z.string().max(2000).optional(),
    /** COMP-7: compositions ahead of this one for a slot; null once it has one. */
    queuePosition: z.number().int().min(0).max(10_000).nullable().optional(),
  })
  .strict();
export type RecordingReport = z.infer<typeof recordingReportSchema>;

/** Queue name shared by the server (producer of jobs) and the recorder (worker). */
export const RECORDING_QUEUE = 'recordings';

/** NODE-8: the BullMQ prefix of a node's recording queue (BullMQ's own default on one node). */
export function recordingQueuePrefix(nodeId?: string): string {
  return nodeId ? `bull:node:${nodeId}` : 'bull';
}

/** Environment of the recorder process (`npm run recorder`, recorder/README.md). */
export const recorderEnvSchema = z.object({
  REDIS_URL: z.string().url(),
  RECORDER_KEY: z.string().min(16, 'RECORDER_KEY must be at least 16 characters'),
  /**
   * REC-8: the control URLs (comma-separated) this recorder may contact. A job naming another
   * one fails without being contacted: the recorder key is sent nowhere else.
   */
  RECORDER_CONTROL_URL: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().url()).min(1, 'RECORDER_CONTROL_URL: at least one URL')),
  RECORDINGS_DIR: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default('data'),
  RECORDER_RTP_IP: z.string().ip().default('127.0.0.1'),
  RECORDER_MIN_PORT: z.coerce.number().int().min(1024).max(65534).default(20000),
  RECORDER_MAX_PORT: z.coerce.number().int().min(1024).max(65534).default(29998),
  RECORDER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * NODE-8: with several nodes sharing one Redis, each node's recorder takes its own node's jobs:
   * the BullMQ key prefix of that node's recording queue (recordingQueuePrefix).
   */
  RECORDER_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9:._-]{1,100}$/).default('bull'),
  RECORDER_LOCK_MS: z.coerce.number().int().min(2000).default(10_000),
  /** RUN-2: a composition whose output time does not advance for this long is killed. */
  RECORDER_COMPOSE_STALL_S: z.coerce.number().min(1).max(3600).default(60),
  /** RUN-2: the longest session a capture records (its deadline). */
  RECORDER_MAX_SESSION_H: z.coerce.number().min(0.01).max(48).default(12),
  /** COMP-6: the meeting is composed while it runs, in segments of this length. */
  RECORDER_SEGMENT_S: z.coerce.number().min(2).max(1800).default(60),
  /** COMP-7: compositions at once, all sessions together; the others wait their turn. */
  RECORDER_COMPOSE_SLOTS: z.coerce.number().int().min(1).max(16).default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
