import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { recordingJobDataSchema, recordingLayout, type RecordingJobResult, type RecordingReport, type RecordingStream } from '@nomades/shared';
import { ControlClient, ControlError } from './ControlClient.js';
import type { ControlUrls } from './ControlUrls.js';
import type { ComposeLimits } from './compose.js';
import type { ComposeSlots } from './ComposeSlots.js';
import { CompositionFailed } from './CompositionFailed.js';
import { probeTrack, type EncoderSettings } from './ffmpeg.js';
import { LiveComposer } from './LiveComposer.js';
import { Manifest, type TrackEntry } from './Manifest.js';
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
  /** RUN-2: the bounds of a composition. */
  composeLimits: ComposeLimits;
  /** RUN-2: a capture's deadline, the longest session (RECORDER_MAX_SESSION_H). */
  captureDeadlineMs: number;
  /** COMP-6: the meeting is composed while it runs, in segments of this length (RECORDER_SEGMENT_S). */
  segmentSec: number;
  /** COMP-4: how the picture is encoded. */
  encoder?: EncoderSettings;
  /** COMP-7: the recorder's composition slots. */
  slots?: ComposeSlots;
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
  readonly #live: LiveComposer;
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
    this.#live = new LiveComposer({
      manifest: this.#manifest,
      segmentSec: options.segmentSec,
      limits: options.composeLimits,
      encoder: options.encoder,
      sessionDeadlineMs: options.captureDeadlineMs,
      slots: options.slots,
      onQueued: (ahead) => void this.#report({ queuePosition: ahead }),
      requestKeyFrames: () => this.#requestKeyFrames(),
      signal: options.signal,
      onProgress: (percent) => void this.#progress(percent),
      onNote: (note) => void this.#report({ note }),
      log: this.#log,
    });
  }

  async run(): Promise<RecordingJobResult> {
    // COMP-5: an operator asked to compose the kept tracks again; nothing is captured.
    if (this.#data.mode === 'compose') {
      this.#manifest.data.attempts.push({ at: new Date().toISOString(), host: os.hostname(), pid: process.pid, compose: true });
      // Every window again, from the tracks.
      fs.rmSync(path.join(this.#manifest.dir, 'segments'), { recursive: true, force: true });
      this.#manifest.data.segments = [];
      this.#manifest.save();
      return this.#compose();
    }
    const resumed = this.#manifest.data.attempts.length > 0;
    await this.#stopOrphans();
    const earlier = [...this.#manifest.data.tracks];
    this.#manifest.data.attempts.push({ at: new Date().toISOString(), host: os.hostname(), pid: process.pid });
    this.#manifest.save();
    const resumedAt = Date.now();
    if (resumed) {
      const note = `the recorder was interrupted and attempt ${this.#manifest.data.attempts.length} resumed the job at ${new Date(resumedAt).toISOString()}; ${earlier.length} track(s) written before were kept`;
      this.#log.warn(note);
      await this.#report({ note });
    }
    await this.#record();
    // Measured once the session is over (from the media itself), so that capturing again waits for no probe.
    if (resumed && !this.#o.signal.aborted) await this.#noteGap(earlier, resumedAt);
    if (this.#o.signal.aborted) {
      await this.#live.stop();
      throw new Error('the recorder shut down during the session; the job will be resumed');
    }
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
        this.#live.tick();
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
        deadlineMs: this.#o.captureDeadlineMs,
        log: this.#log,
      });
      this.#captures.set(stream.producerId, capture);
    } catch (error) {
      this.#log.warn({ err: error, producer: stream.producerId }, 'could not capture a stream');
    }
  }

  /** COMP-6: what is left once the meeting ended: its last window, then the join. */
  async #compose(): Promise<RecordingJobResult> {
    this.#log.info({ tracks: this.#manifest.data.tracks.length, segments: this.#manifest.data.segments?.length ?? 0 }, 'composing');
    this.#lastProgress = 0;
    await this.#report({ status: 'processing', progress: 0 });
    await this.#job.updateProgress(0);
    try {
      const composed = await this.#live.finish(
        recordingLayout.composed(this.#o.recordingsDir, this.#data.recordingId),
        recordingLayout.composedPartial(this.#o.recordingsDir, this.#data.recordingId),
      );
      const result: RecordingJobResult = { durationMs: Math.round(composed.durationSec * 1000), sizeBytes: composed.sizeBytes, tracks: composed.tracks };
      await this.#job.updateProgress(100);
      await this.#report({ status: 'ready', progress: 100, durationMs: result.durationMs, sizeBytes: result.sizeBytes });
      this.#log.info({ ...result, segments: composed.segments }, 'recording ready');
      return result;
    } catch (error) {
      if (this.#o.signal.aborted) throw new Error('the recorder shut down while composing; the job will be resumed');
      // COMP-3: no third try by BullMQ; the job fails for good and the recorder reports why.
      if (error instanceof CompositionFailed) throw new UnrecoverableError(error.message);
      throw error;
    }
  }

  /** Before each boundary: a key frame of every picture, so that the next window decodes from just before its start. */
  async #requestKeyFrames(): Promise<void> {
    const videos = [...this.#captures.values()].filter((c) => c.stream.kind === 'video' && !c.ended);
    await Promise.all(videos.map((c) => this.#control.resumeTap(c.stream.producerId).catch(() => undefined)));
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

  /**
   * Reports a resumed job's gap: from the last packet of the tracks written before (`earlier`)
   * to the first packet captured again (or, if none was, to `resumedAt`, ms). Never rejects.
   */
  async #noteGap(earlier: TrackEntry[], resumedAt: number): Promise<void> {
    // The earlier tracks are read from just before the last composed window (COMP-6), if any: a long meeting's tracks are not read whole.
    const composedTo = this.#manifest.data.segments?.at(-1)?.to;
    const tail = (track: TrackEntry) => {
      const file = this.#manifest.trackPath(track);
      const near = composedTo !== undefined ? probeTrack(file, this.#log, `${(composedTo - 1).toFixed(3)}%`) : Promise.resolve(undefined);
      return near.then((p) => p ?? probeTrack(file, this.#log)).catch(() => undefined);
    };
    const later = this.#manifest.data.tracks.filter((t) => !earlier.includes(t));
    const [before, after] = await Promise.all([
      Promise.all(earlier.map(async (t) => (await tail(t))?.end)),
      Promise.all(later.map(async (t) => t.firstPts ?? (await probeTrack(this.#manifest.trackPath(t), this.#log, '%+#1').catch(() => undefined))?.start)),
    ]);
    const finite = (xs: Array<number | undefined>) => xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
    const lastBefore = finite(before).length ? Math.max(...finite(before)) : undefined;
    const firstAfter = finite(after).length ? Math.min(...finite(after)) : undefined;
    const gap = lastBefore === undefined ? '?' : Math.max(0, (firstAfter ?? resumedAt / 1000) - lastBefore).toFixed(1);
    const until = firstAfter === undefined ? 'nothing was captured again' : 'to the first packet captured again';
    const note = `about ${gap} s of media is missing where attempt ${this.#manifest.data.attempts.length} resumed the job (from the last packet written before ${until})`;
    this.#log.warn(note);
    await this.#report({ note });
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
