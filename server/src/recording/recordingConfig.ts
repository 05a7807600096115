import { z } from 'zod';
import { CONTINUE_GRACE_MS } from './RecordingTakeover.js';

/**
 * Settings of the recording start (REC-11 in recorder/README.md), from the environment:
 * - RECORDING_START_TIMEOUT_MS: a recorder must take a session's job within this time (default 30 s);
 * - RECORDING_START_ATTEMPTS: enqueue attempts within it, with backoff from 1 s (default 4);
 * - RECORDINGS_MIN_FREE_MB: free space under which no new recording starts (DISK-1, default 2048);
 * - RECORDING_CONTINUE_GRACE_MS: with several nodes, how long a dead node's recording waits for
 *   its room to reopen on a live node that continues it before a survivor composes it (NODE-REC-2).
 */
const recordingEnvSchema = z.object({
  RECORDING_START_TIMEOUT_MS: z.coerce.number().int().min(1000).max(10 * 60_000).default(30_000),
  RECORDING_START_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
  RECORDINGS_MIN_FREE_MB: z.coerce.number().int().min(0).default(2048),
  RECORDING_CONTINUE_GRACE_MS: z.coerce.number().int().min(0).max(10 * 60_000).default(CONTINUE_GRACE_MS),
});

export interface RecordingConfig {
  startTimeoutMs: number;
  startAttempts: number;
  /** DISK-1: below this much free space in RECORDINGS_DIR, no new recording starts (RECORDINGS_MIN_FREE_MB, default 2 GiB). */
  minFreeBytes: number;
  /** NODE-REC-2: RECORDING_CONTINUE_GRACE_MS (CONTINUE_GRACE_MS by default). */
  continueGraceMs: number;
}

/** Throws an Error naming the invalid variable. */
export function loadRecordingConfig(env: NodeJS.ProcessEnv = process.env): RecordingConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in recordingEnvSchema.shape && v !== undefined && v !== ''));
  const parsed = recordingEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new Error(`invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  return {
    startTimeoutMs: parsed.data.RECORDING_START_TIMEOUT_MS,
    startAttempts: parsed.data.RECORDING_START_ATTEMPTS,
    minFreeBytes: parsed.data.RECORDINGS_MIN_FREE_MB * 1024 * 1024,
    continueGraceMs: parsed.data.RECORDING_CONTINUE_GRACE_MS,
  };
}
