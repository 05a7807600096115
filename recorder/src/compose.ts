import fs from 'node:fs';
import type { Logger } from 'pino';
import { composePlan, type PlannedTrack } from './composePlan.js';
import { composeFile, DEFAULT_ENCODER, type EncoderSettings } from './ffmpeg.js';
import { CompositionFailed } from './CompositionFailed.js';
import { describeOutcome } from './ProcessError.js';
import { succeeded } from './SupervisedProcess.js';

/** RUN-2: the bounds of one composition. */
export interface ComposeLimits {
  /** Killed when its output time does not advance for this long (RECORDER_COMPOSE_STALL_S). */
  stallMs: number;
  /** Killed past `deadlineBaseMs + deadlinePerSecond × the file's length` (ms). */
  deadlineBaseMs: number;
  deadlinePerSecond: number;
}

export const DEFAULT_COMPOSE_LIMITS: ComposeLimits = { stallMs: 60_000, deadlineBaseMs: 120_000, deadlinePerSecond: 3_000 };

export interface ComposeRequest {
  tracks: PlannedTrack[];
  /** The span to compose (COMP-6); the whole meeting by default. */
  window?: { from: number; to: number };
  format?: 'mp4' | 'segment';
  /** The finished file: written as `partial`, renamed once complete. */
  output: string;
  partial: string;
  encoder?: EncoderSettings;
  size?: { width: number; height: number };
  limits: ComposeLimits;
  /** Aborted when the recorder shuts down: the composition stops and is left to a later attempt. */
  signal: AbortSignal;
  onProgress?: (percent: number) => void;
  /** A first attempt failed and the safer one starts (the recording's `note`). */
  onRetry?: (reason: string) => void;
  log: Logger;
}

export interface ComposeResult {
  durationSec: number;
  sizeBytes: number;
}

/**
 * Composes the tracks into one file (COMP-3): the usual plan first; if its ffmpeg fails, stalls or
 * runs past its deadline (RUN-2), the cause is logged and the safer plan runs once, single-threaded;
 * if that fails too, CompositionFailed says both causes. The tracks are never touched, so an
 * operator can compose again (`nomades recordings recompose ID`).
 */
export async function compose(request: ComposeRequest): Promise<ComposeResult> {
  const attempts = [
    { safe: false, threads: 0 },
    { safe: true, threads: 1 },
  ];
  const causes: string[] = [];
  const encoder = request.encoder ?? DEFAULT_ENCODER;
  for (const [n, attempt] of attempts.entries()) {
    const plan = composePlan(request.tracks, { ...request.size, fps: encoder.fps, window: request.window, safe: attempt.safe });
    fs.rmSync(request.partial, { force: true });
    const run = composeFile({
      inputs: plan.inputs,
      filter: plan.filter,
      durationSec: plan.durationSec,
      output: request.partial,
      format: request.format,
      encoder,
      threads: attempt.threads,
      stallMs: request.limits.stallMs,
      deadlineMs: request.limits.deadlineBaseMs + request.limits.deadlinePerSecond * plan.durationSec,
      onProgress: request.onProgress,
      log: request.log,
    });
    const abort = () => void run.stop(1000);
    request.signal.addEventListener('abort', abort, { once: true });
    const outcome = await run.done.finally(() => request.signal.removeEventListener('abort', abort));
    if (request.signal.aborted) throw new Error('the recorder shut down while composing; the job will be resumed');
    if (succeeded(outcome) && fs.existsSync(request.partial)) {
      fs.renameSync(request.partial, request.output);
      return { durationSec: plan.durationSec, sizeBytes: fs.statSync(request.output).size };
    }
    const cause = succeeded(outcome) ? 'ffmpeg wrote no file' : `ffmpeg ${describeOutcome(outcome)}`;
    causes.push(`attempt ${n + 1} (${attempt.safe ? 'safe plan' : 'usual plan'}): ${cause}`);
    request.log.error({ attempt: n + 1, safe: attempt.safe, outcome: { ...outcome, stderrTail: outcome.stderrTail.slice(-8) } }, 'composition failed');
    fs.rmSync(request.partial, { force: true });
    if (n + 1 < attempts.length) request.onRetry?.(`composition attempt ${n + 1} failed (${cause}); trying again with the safer plan`);
  }
  throw new CompositionFailed(`the composition failed twice; the captured tracks are kept and can be composed again: ${causes.join('; ')}`);
}
