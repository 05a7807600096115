import fs from 'node:fs';
import os from 'node:os';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { recordingJobDataSchema, recordingLayout, type RecordingJobResult, type RecordingReport, type RecordingStream } from '@nomades/shared';
import { ControlClient, ControlError } from './ControlClient.js';
import type { ControlUrls } from './ControlUrls.js';
import { composeFile, probeTrack } from './ffmpeg.js';
import { composePlan, type PlannedTrack } from './composePlan.js';
import { Manifest } from './Manifest.js';
import { StreamCapture } from './StreamCapture.js';

export interface RecordingJobOptions {
  recordingsDir: string;
  recorderKey: string;
  /** The only control URLs this recorder contacts (REC-8). */
  controlUrls: ControlUrls;
  rtpIp: string;
  portRange: [number, number];
  /** How often the room's streams are polled. */
  pollMs: number;
  /** The session is considered over when the server stays unreachable this long. */
  unreachableMs: number;
  /** Aborted when the recorder shuts down. */
  signal: AbortSignal;
  log: Logger;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const MAX_RESTARTS_PER_STREAM = 5;

/**
 * One recording session, as one BullMQ job: capture every stream of the room while the server
 * says the session is active, then compose the tracks into one MP4. Safe to run again on the
 * same job: tracks already written (manifest.json) are kept, and an interrupted attempt's
 * orphan ffmpeg processes are stopped first.
 */
export class RecordingJob {
  readonly #job: Job;
  readonly #o: RecordingJobOptions;
  readonly #control: ControlClient;
  readonly #manifest: Manifest;
  readonly #log: Logger;
  readonly #captures = new Map<string, StreamCapture>();
  readonly #restarts = new Map<string, number>();
  readonly #data;
  #lastProgress = 0;

  constructor(job: Job, options: RecordingJobOptions) {
    const parsed = recordingJobDataSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid job data: ${parsed.error.issues[0]?.message}`);
    this.#data = parsed.data;
    this.#job = job;
    this.#o = options;
    this.#log = options.log.child({ recording: this.#data.recordingId, room: this.#data.roomId });
    try {
      this.#control = new ControlClient(this.#data.controlUrl, this.#data.recordingId, options.recorderKey, options.controlUrls);
    } catch (error) {
      throw new UnrecoverableError((error as Error).message);
    }
    // The folder and file names are the server's too (recordingLayout in shared/).
    this.#manifest = Manifest.load(recordingLayout.dir(options.recordingsDir, this.#data.recordingId), this.#data.recordingId, this.#data.roomId);
  }

  async run(): Promise<RecordingJobResult> {
    const resumed = this.#manifest.data.attempts.length > 0;
    await this.#stopOrphans();
    const lastCaptured = resumed ? await this.#lastCaptured() : undefined;
    this.#manifest.data.attempts.push({ at: new Date().toISOString(), host: os.hostname(), pid: process.pid });
    this.#manifest.save();
    if (resumed) {
      const gap = lastCaptured ? Math.max(0, Date.now() / 1000 - lastCaptured).toFixed(1) : '?';
      const note = `the recorder was interrupted and attempt ${this.#manifest.data.attempts.length} resumed the job at ${new Date().toISOString()}; ${this.#manifest.data.tracks.length} track(s) written before were kept; about ${gap} s of media is missing`;
      this.#log.warn(note);
      await this.#report({ note });
    }
    await this.#record();
    if (this.#o.signal.aborted) throw new Error('the recorder shut down during the session; the job will be resumed');
    return this.#compose();
  }

  async #record(): Promise<void> {
    let unreachableSince: number | undefined;
    this.#log.info('recording');
    try {
      while (!this.#o.signal.aborted) {
        let streams;
        try {
          streams = await this.#control.streams();
          unreachableSince = undefined;
        } catch (error) {
          if (error instanceof ControlError && error.status === 404) throw new UnrecoverableError('the server does not know this recording');
          unreachableSince ??= Date.now();
          if (Date.now() - unreachableSince > this.#o.unreachableMs) {
            await this.#report({ note: `the server was unreachable for ${Math.round(this.#o.unreachableMs / 1000)} s; recording ended there` }).catch(() => undefined);
            break;
          }
          await sleep(this.#o.pollMs, this.#o.signal);
          continue;
        }
        if (!streams.active) break;
        const wanted = new Set(streams.streams.map((s) => s.producerId));
        for (const [producerId, capture] of this.#captures) {
          if (!wanted.has(producerId)) {
            this.#captures.delete(producerId);
            await capture.stop();
          }
        }
        // New streams start in parallel: each one's ffmpeg startup delays only its own track.
        await Promise.all(streams.streams.map((stream) => this.#ensureCapture(stream)));
        await sleep(this.#o.pollMs, this.#o.signal);
      }
    } finally {
      await Promise.all([...this.#captures.values()].map((c) => c.stop()));
      this.#captures.clear();
    }
  }

  /** Starts capturing a stream not captured yet, or again if its ffmpeg died (a few times at most). */
  async #ensureCapture(stream: RecordingStream): Promise<void> {
    const current = this.#captures.get(stream.producerId);
    if (current && !current.ended) return;
    if (current) {
      const restarts = (this.#restarts.get(stream.producerId) ?? 0) + 1;
      this.#restarts.set(stream.producerId, restarts);
      await current.stop();
      this.#captures.delete(stream.producerId);
      if (restarts > MAX_RESTARTS_PER_STREAM) return;
    }
    try {
      const capture = await StreamCapture.start({
        control: this.#control,
        manifest: this.#manifest,
        stream,
        rtpIp: this.#o.rtpIp,
        portRange: this.#o.portRange,
        log: this.#log,
      });
      this.#captures.set(stream.producerId, capture);
    } catch (error) {
      this.#log.warn({ err: error, producer: stream.producerId }, 'could not capture a stream');
    }
  }

  async #compose(): Promise<RecordingJobResult> {
    this.#log.info({ tracks: this.#manifest.data.tracks.length }, 'composing');
    await this.#report({ status: 'processing', progress: 0 });
    await this.#job.updateProgress(0);
    const planned: PlannedTrack[] = [];
    for (const track of this.#manifest.data.tracks) {
      const file = this.#manifest.trackPath(track);
      const probe = fs.existsSync(file) ? await probeTrack(file).catch(() => undefined) : undefined;
      // A manifest written before tracks carried the identity: one tile per peer, as then.
      const identity = (track.identity as string | undefined) ?? track.peerId;
      if (probe) planned.push({ file, kind: track.kind, source: track.source, peerId: track.peerId, identity, start: probe.start, end: probe.end });
      this.#log.debug({ file: track.file, openedAt: track.openedAt, closedAt: track.closedAt, probe }, 'track');
    }
    if (planned.length === 0) throw new UnrecoverableError('no media was captured during the session');
    const plan = composePlan(planned);
    const output = recordingLayout.composed(this.#o.recordingsDir, this.#data.recordingId);
    const partial = recordingLayout.composedPartial(this.#o.recordingsDir, this.#data.recordingId);
    const run = composeFile({
      inputs: plan.inputs,
      filter: plan.filter,
      durationSec: plan.durationSec,
      output: partial,
      onProgress: (percent) => void this.#progress(percent),
    });
    const abort = () => void run.stop(1000);
    this.#o.signal.addEventListener('abort', abort, { once: true });
    try {
      await run.done;
    } finally {
      this.#o.signal.removeEventListener('abort', abort);
    }
    if (this.#o.signal.aborted) throw new Error('the recorder shut down while composing; the job will be resumed');
    if (!fs.existsSync(partial)) {
      throw new Error(`ffmpeg wrote no file (${fs.existsSync(this.#manifest.dir) ? 'folder present' : 'the recording folder was removed'})`);
    }
    fs.renameSync(partial, output);
    const result: RecordingJobResult = {
      durationMs: Math.round(plan.durationSec * 1000),
      sizeBytes: fs.statSync(output).size,
      tracks: planned.length,
    };
    await this.#job.updateProgress(100);
    await this.#report({ status: 'ready', progress: 100, durationMs: result.durationMs, sizeBytes: result.sizeBytes });
    this.#log.info(result, 'recording ready');
    return result;
  }

  async #progress(percent: number): Promise<void> {
    if (percent < this.#lastProgress + 5) return;
    this.#lastProgress = percent;
    await this.#job.updateProgress(percent).catch(() => undefined);
    await this.#report({ progress: percent }).catch(() => undefined);
  }

  async #report(report: RecordingReport): Promise<void> {
    await this.#control.report(report).catch((error) => this.#log.warn({ err: error }, 'could not report to the server'));
  }

  /** Wall-clock time of the last packet written by earlier attempts (seconds), if any. */
  async #lastCaptured(): Promise<number | undefined> {
    let last: number | undefined;
    for (const track of this.#manifest.data.tracks) {
      const probe = await probeTrack(this.#manifest.trackPath(track)).catch(() => undefined);
      if (probe) last = Math.max(last ?? 0, probe.end);
    }
    return last;
  }

  /** Stops the ffmpeg processes an interrupted attempt on this machine left running. */
  async #stopOrphans(): Promise<void> {
    for (const track of this.#manifest.data.tracks) {
      if (track.closedAt) continue;
      if (track.pid && track.host === os.hostname() && isOurFfmpeg(track.pid, track.file)) {
        try {
          process.kill(track.pid, 'SIGINT');
          setTimeout(() => isOurFfmpeg(track.pid!, track.file) && process.kill(track.pid!, 'SIGINT'), 500);
          for (let i = 0; i < 30 && isOurFfmpeg(track.pid, track.file); i++) await new Promise((r) => setTimeout(r, 100));
          if (isOurFfmpeg(track.pid, track.file)) process.kill(track.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      track.closedAt = new Date().toISOString();
      delete track.pid;
    }
    this.#manifest.save();
  }
}

function isOurFfmpeg(pid: number, file: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(file);
  } catch {
    return false;
  }
}
