import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { AudioEncoder } from './AudioEncoder.js';
import { compose, type ComposeLimits } from './compose.js';
import type { PlannedTrack } from './composePlan.js';
import type { ComposeSlots } from './ComposeSlots.js';
import { CompositionFailed } from './CompositionFailed.js';
import { joinSegments, probeTrack, type EncoderSettings } from './ffmpeg.js';
import type { Manifest, SegmentEntry, TrackEntry } from './Manifest.js';
import { describeOutcome } from './ProcessError.js';
import { succeeded } from './SupervisedProcess.js';

export interface LiveComposerOptions {
  manifest: Manifest;
  /** COMP-6: length of a segment (RECORDER_SEGMENT_S). */
  segmentSec: number;
  limits: ComposeLimits;
  encoder?: EncoderSettings;
  /** COMP-7: the recorder's composition slots, shared by all its sessions. */
  slots?: ComposeSlots;
  /** COMP-7: compositions ahead while this one waits for a slot; null once it has one. */
  onQueued?: (ahead: number | null) => void;
  /** The longest session: the audio encoder's deadline. */
  sessionDeadlineMs: number;
  /** Asks the SFU for a key frame of every picture captured (before each boundary). */
  requestKeyFrames?: () => Promise<void>;
  signal: AbortSignal;
  /** 0…99 of the work left after the meeting. */
  onProgress?: (percent: number) => void;
  onNote?: (note: string) => void;
  log: Logger;
}

export interface LiveComposeResult {
  durationSec: number;
  sizeBytes: number;
  tracks: number;
  segments: number;
}

/** After a window's end, how long before composing it: the captures write 100 ms clusters. */
const SETTLE_SEC = 2;
/** Key frames are asked for this long before each boundary (read from LEAD_IN = 1 s before it). */
const KEY_FRAME_LEAD_SEC = 1.5;
/** A last span shorter than this is dropped rather than composed alone. */
const MIN_LAST_SEC = 0.05;

/**
 * COMP-6: composes a meeting while it runs. The meeting's timeline (from the first packet of any
 * track) is cut into windows of `segmentSec`; once a window is over, it is composed alone (the
 * layout from the tracks present in it; COMP-3's retry) into `segments/NNNNN.mkv` (H.264 and the
 * voices in FLAC) and its voices are appended to the meeting's one AAC encoding. When the meeting
 * ends (`finish()`), only the last window is left to compose; the segments are then joined
 * without re-encoding. What is done is kept in the manifest: a recorder that resumes the job
 * composes only the windows not done yet (and encodes the voices of the done ones again).
 */
export class LiveComposer {
  readonly #o: LiveComposerOptions;
  readonly #dir: string;
  readonly #segmentsDir: string;
  readonly #audioFile: string;
  #audio?: AudioEncoder;
  #running?: Promise<void>;
  #failure?: Error;
  #keyFramesFor = -1;

  constructor(options: LiveComposerOptions) {
    this.#o = options;
    this.#dir = options.manifest.dir;
    this.#segmentsDir = path.join(this.#dir, 'segments');
    this.#audioFile = path.join(this.#segmentsDir, 'audio.aac');
  }

  get #segments(): SegmentEntry[] {
    return (this.#o.manifest.data.segments ??= []);
  }

  /** Called on every poll while the session records: composes a window once it is over. Never throws. */
  tick(now = Date.now() / 1000): void {
    if (this.#running || this.#failure || this.#o.signal.aborted) return;
    this.#running = this.#step(now)
      .catch((error: Error) => {
        // A window that failed twice: the captures go on, the recording fails at the end (COMP-3).
        this.#failure = error;
        this.#o.log.error({ err: error }, 'a segment could not be composed');
      })
      .finally(() => (this.#running = undefined));
  }

  async #step(now: number): Promise<void> {
    await this.#probeFirstPackets();
    const origin = this.#origin();
    if (origin === undefined) return;
    const S = this.#o.segmentSec;
    const boundary = Math.floor((now - origin) / S) + 1;
    if (now >= origin + boundary * S - KEY_FRAME_LEAD_SEC && this.#keyFramesFor < boundary) {
      this.#keyFramesFor = boundary;
      await this.#o.requestKeyFrames?.().catch(() => undefined);
    }
    const from = this.#nextFrom(origin);
    if (now >= from + S + SETTLE_SEC) await this.#composeWindow(from, from + S);
  }

  /**
   * The meeting ended (captures stopped): composes what is left, joins the segments and the audio
   * into `output` (written as `partial`, renamed once complete).
   */
  async finish(output: string, partial: string): Promise<LiveComposeResult> {
    await this.#running;
    if (this.#failure) throw this.#asFinal(this.#failure);
    await this.#probeFirstPackets();
    const tracks = await this.#planned(true);
    if (tracks.length === 0) throw new CompositionFailed('no media was captured during the session');
    const origin = this.#origin()!;
    const end = Math.max(...tracks.map((t) => t.end));
    const left = Math.ceil((end - this.#nextFrom(origin)) / this.#o.segmentSec);
    let done = 0;
    try {
      for (let from = this.#nextFrom(origin); end - from >= MIN_LAST_SEC; from = this.#nextFrom(origin)) {
        await this.#composeWindow(from, Math.min(from + this.#o.segmentSec, end), tracks);
        this.#o.onProgress?.(Math.min(90, Math.round((++done / Math.max(left, 1)) * 90)));
      }
      if (this.#segments.length === 0) throw new CompositionFailed('no media was captured during the session');
      const audio = this.#audioEncoder();
      await audio.finish();
      this.#audio = undefined;
      return await this.#join(output, partial, tracks.length, end);
    } catch (error) {
      await this.#audio?.stop();
      throw this.#asFinal(error as Error);
    }
  }

  /** Stops the audio encoder (a shutdown: the job is resumed later). */
  async stop(): Promise<void> {
    await this.#running;
    await this.#audio?.stop();
  }

  async #composeWindow(from: number, to: number, known?: PlannedTrack[]): Promise<void> {
    const index = this.#segments.length;
    const tracks = known ?? (await this.#planned(false));
    // Nobody in this window (all gone, a rejoin later): the canvas and silence.
    const inWindow = tracks.filter((t) => t.start < to && t.end > from);
    // Started before this segment is added: a resumed job's encoder takes the segments done before first.
    const audio = this.#audioEncoder();
    const file = `segments/${String(index).padStart(5, '0')}.mkv`;
    const outputPath = path.join(this.#dir, file);
    let waited = false;
    const release = this.#o.slots
      ? await this.#o.slots.acquire((ahead) => {
          waited = true;
          this.#o.onQueued?.(ahead);
        })
      : () => undefined;
    if (waited) this.#o.onQueued?.(null);
    const started = Date.now();
    await compose({
      tracks: inWindow,
      window: { from, to },
      format: 'segment',
      output: outputPath,
      partial: `${outputPath}.part`,
      encoder: this.#o.encoder,
      limits: this.#o.limits,
      signal: this.#o.signal,
      onRetry: this.#o.onNote,
      log: this.#o.log,
    }).finally(release);
    this.#segments.push({ index, from, to, file });
    this.#o.manifest.save();
    this.#o.log.info({ index, seconds: +(to - from).toFixed(3), tracks: inWindow.length, composeMs: Date.now() - started }, 'segment composed');
    await audio.append(outputPath);
  }

  /** The encoder, started on first use; on a resumed job, fed first with the segments composed before. */
  #audioEncoder(): AudioEncoder {
    if (this.#audio) return this.#audio;
    fs.mkdirSync(this.#segmentsDir, { recursive: true, mode: 0o700 });
    const audio = new AudioEncoder(this.#audioFile, { deadlineMs: this.#o.sessionDeadlineMs, log: this.#o.log });
    this.#audio = audio;
    for (const segment of this.#segments) void audio.append(path.join(this.#dir, segment.file)).catch(() => undefined);
    return audio;
  }

  /**
   * The file ends with the last media received (`end`): windows composed while the session still
   * ran after it (a participant's resume grace) are left out, and the join stops at `end`.
   */
  async #join(output: string, partial: string, trackCount: number, end: number): Promise<LiveComposeResult> {
    const list = path.join(this.#segmentsDir, 'segments.txt');
    const kept = this.#segments.filter((s, i) => i === 0 || s.from < end);
    fs.writeFileSync(list, kept.map((s) => `file '${path.join(this.#dir, s.file)}'\n`).join(''), { mode: 0o600 });
    const durationSec = Math.min(kept.at(-1)!.to, end) - kept[0]!.from;
    fs.rmSync(partial, { force: true });
    const outcome = await joinSegments({
      list,
      audio: this.#audioFile,
      output: partial,
      durationSec,
      stallMs: this.#o.limits.stallMs,
      deadlineMs: this.#o.limits.deadlineBaseMs + 100 * durationSec,
      log: this.#o.log,
    }).done;
    if (!succeeded(outcome) || !fs.existsSync(partial)) {
      throw new CompositionFailed(`joining the segments failed: ffmpeg ${describeOutcome(outcome)}`);
    }
    fs.renameSync(partial, output);
    // The joined file has everything: the segments go (the tracks stay, for a recompose).
    fs.rmSync(this.#segmentsDir, { recursive: true, force: true });
    const segments = kept.length;
    this.#o.manifest.data.segments = [];
    this.#o.manifest.save();
    return { durationSec, sizeBytes: fs.statSync(output).size, tracks: trackCount, segments };
  }

  /** Where the next window starts: after the last composed one, else at the meeting's first packet. */
  #nextFrom(origin: number): number {
    return this.#segments.at(-1)?.to ?? origin;
  }

  #origin(): number | undefined {
    const starts = this.#o.manifest.data.tracks.map((t) => t.firstPts).filter((t): t is number => t !== undefined);
    return starts.length ? Math.min(...starts) : undefined;
  }

  /** Probes the first packet of the tracks not probed yet (one packet read each). */
  async #probeFirstPackets(): Promise<void> {
    let changed = false;
    for (const track of this.#o.manifest.data.tracks) {
      if (track.firstPts !== undefined) continue;
      const file = this.#o.manifest.trackPath(track);
      if (!fs.existsSync(file)) continue;
      const probe = await probeTrack(file, this.#o.log, '%+#1').catch(() => undefined);
      if (probe) {
        track.firstPts = probe.start;
        changed = true;
      }
    }
    if (changed) this.#o.manifest.save();
  }

  /**
   * The tracks as the planner sees them. While the meeting runs, a track still written has no end
   * yet; `exact` (the meeting is over) reads every track's last packets for the file's end.
   */
  async #planned(exact: boolean): Promise<PlannedTrack[]> {
    const planned: PlannedTrack[] = [];
    for (const track of this.#o.manifest.data.tracks) {
      if (track.firstPts === undefined) continue;
      const file = this.#o.manifest.trackPath(track);
      const end = exact ? await this.#lastPacket(track) : track.closedAt ? Date.parse(track.closedAt) / 1000 + 1 : Infinity;
      if (end === undefined) continue;
      // A manifest written before tracks carried the identity: one tile per peer, as then.
      const identity = (track.identity as string | undefined) ?? track.peerId;
      planned.push({ file, kind: track.kind, source: track.source, peerId: track.peerId, identity, start: track.firstPts, end });
    }
    return planned;
  }

  /** The end of a finished track: its packets from the last window on (the whole file if none there). */
  async #lastPacket(track: TrackEntry): Promise<number | undefined> {
    const file = this.#o.manifest.trackPath(track);
    const from = this.#segments.at(-1)?.to;
    const tail = from !== undefined ? await probeTrack(file, this.#o.log, `${(from - 1).toFixed(3)}%`).catch(() => undefined) : undefined;
    const probe = tail ?? (await probeTrack(file, this.#o.log).catch(() => undefined));
    return probe?.end;
  }

  #asFinal(error: Error): Error {
    return error instanceof CompositionFailed || this.#o.signal.aborted ? error : new CompositionFailed(error.message);
  }
}
