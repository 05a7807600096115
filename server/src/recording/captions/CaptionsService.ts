import crypto from 'node:crypto';
import fs from 'node:fs';
import { AppError, recordingLayout, type CaptionsFormat, type CaptionsSaved, type RecordingCaptions, type RecordingInfo } from '@nomades/shared';
import type { Logger } from '../../logging/logger.js';
import type { Webhooks } from '../../webhooks/WebhookTypes.js';
import { loadCaptionDraftEngine, type CaptionDraftEngine } from './CaptionDraftEngine.js';
import { checkCaptions, countCues } from './captionsFile.js';

export interface CaptionsServiceOptions {
  recordingsDir: string;
  /** Where `recording.captions.updated` goes (CAP-6). */
  webhooks?: Pick<Webhooks, 'emit'>;
  /** CAPTIONS_DRAFT_ENGINE (CAP-7); process.env by default. */
  env?: NodeJS.ProcessEnv;
  log: Logger;
}

/** Who put or removed captions (the webhook's `by`). */
export type CaptionsAuthor = 'admin' | 'host';

/**
 * The captions of recordings (CAP-n in docs/spec/sharing.md): one WebVTT file in the recording's
 * folder (recordingLayout.captions, mode 0600: FILE-1), so that it goes with the folder when the
 * recording is deleted. A put is checked whole before anything is written, then written to a
 * temporary file of the same folder and renamed over the old one: a refused or interrupted put
 * leaves the previous captions as they were, and a reader never sees half a file.
 */
export class CaptionsService {
  /** CAP-7: the automatic draft engine configured (none today). */
  readonly draftEngine: CaptionDraftEngine | null;
  readonly #o: CaptionsServiceOptions;
  /** Cue counts of stored files, by recording, valid while the file's mtime and size are those. */
  readonly #counts = new Map<string, { mtimeMs: number; size: number; cues: number }>();

  constructor(options: CaptionsServiceOptions) {
    this.#o = options;
    this.draftEngine = loadCaptionDraftEngine(options.env);
  }

  /** The stored file of a recording's captions (whether it exists or not). */
  file(recordingId: string): string {
    return recordingLayout.captions(this.#o.recordingsDir, recordingId);
  }

  /** CAP-5: whether the recording has captions, with their cue count and last change; null if none. */
  info(recordingId: string): RecordingCaptions | null {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.file(recordingId));
    } catch {
      this.#counts.delete(recordingId);
      return null;
    }
    let known = this.#counts.get(recordingId);
    if (!known || known.mtimeMs !== stat.mtimeMs || known.size !== stat.size) {
      known = { mtimeMs: stat.mtimeMs, size: stat.size, cues: countCues(fs.readFileSync(this.file(recordingId), 'utf8')) };
      this.#counts.set(recordingId, known);
    }
    return { cues: known.cues, updatedAt: stat.mtime.toISOString() };
  }

  /**
   * CAP-1/2: checks `body` as captions of `recording` (ready only: CONFLICT otherwise) and stores
   * them in place of any before; then `recording.captions.updated` (CAP-6). Throws AppError
   * PAYLOAD_TOO_LARGE / CAPTIONS_INVALID without having changed anything.
   */
  async put(recording: RecordingInfo, body: Uint8Array, format: CaptionsFormat, by: CaptionsAuthor): Promise<CaptionsSaved> {
    if (recording.status !== 'ready') {
      throw new AppError('CONFLICT', `captions go with a ready recording (status: ${recording.status})`, { status: recording.status });
    }
    const { vtt, cues } = checkCaptions(body, format, recording.durationMs);
    const file = this.file(recording.id);
    const temporary = `${file}.${crypto.randomUUID()}.part`;
    try {
      await fs.promises.writeFile(temporary, vtt, { encoding: 'utf8', mode: 0o600, flag: 'wx' });
      await fs.promises.rename(temporary, file);
    } catch (error) {
      await fs.promises.rm(temporary, { force: true });
      // The recording's folder went away meanwhile: it was deleted.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('NOT_FOUND', 'no such recording');
      throw error;
    }
    const saved = this.info(recording.id);
    if (!saved) throw new AppError('NOT_FOUND', 'no such recording');
    this.#o.log.info({ recording: recording.id, room: recording.roomId, cues, format, by }, 'recording captions put');
    this.#emit(recording, saved.cues, saved.updatedAt, by);
    return saved;
  }

  /** CAP-1: removes the recording's captions; false when it had none. Then `recording.captions.updated` with `cues: 0`. */
  async remove(recording: RecordingInfo, by: CaptionsAuthor): Promise<boolean> {
    try {
      await fs.promises.unlink(this.file(recording.id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    this.#counts.delete(recording.id);
    this.#o.log.info({ recording: recording.id, room: recording.roomId, by }, 'recording captions removed');
    this.#emit(recording, 0, new Date().toISOString(), by);
    return true;
  }

  #emit(recording: RecordingInfo, cues: number, updatedAt: string, by: CaptionsAuthor): void {
    this.#o.webhooks?.emit('recording.captions.updated', { roomId: recording.roomId, recordingId: recording.id, cues, updatedAt, by });
  }
}
