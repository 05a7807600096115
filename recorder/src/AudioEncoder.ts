import type { Logger } from 'pino';
import { decodeSegmentAudio, startAudioEncoder } from './ffmpeg.js';
import { ProcessError } from './ProcessError.js';
import { succeeded, type SupervisedProcess } from './SupervisedProcess.js';

/**
 * COMP-6: one AAC encoding for the whole meeting, fed segment by segment as they are composed, so
 * that the voices join without a gap or the encoder's delay at every boundary, and so that the
 * audio is already encoded when the meeting ends. Segments are appended in order (one after the
 * other); `finish()` closes the input and resolves once the file is complete.
 */
export class AudioEncoder {
  readonly #encoder: SupervisedProcess;
  readonly #deadlineMs: number;
  readonly #log: Logger;
  #chain: Promise<void> = Promise.resolve();
  #failure?: Error;

  constructor(output: string, options: { deadlineMs: number; log: Logger }) {
    this.#deadlineMs = options.deadlineMs;
    this.#log = options.log;
    this.#encoder = startAudioEncoder(output, options);
    void this.#encoder.done.then((outcome) => {
      if (!this.#failure && !succeeded(outcome)) this.#failure = new ProcessError('the audio encoder', outcome);
    });
  }

  /** Appends a composed segment's voices (after those appended before). */
  append(segment: string): Promise<void> {
    const next = this.#chain.then(() => this.#feed(segment));
    this.#chain = next.catch((error: Error) => {
      this.#failure ??= error;
    });
    return next;
  }

  async #feed(segment: string): Promise<void> {
    if (this.#failure) throw this.#failure;
    const decoder = decodeSegmentAudio(segment, { deadlineMs: this.#deadlineMs, log: this.#log });
    decoder.stdout.pipe(this.#encoder.stdin, { end: false });
    const outcome = await decoder.done;
    decoder.stdout.unpipe(this.#encoder.stdin);
    if (!succeeded(outcome)) throw new ProcessError('decoding a segment\'s audio', outcome);
  }

  /** Ends the input once every segment is in; resolves when the encoder wrote its file. */
  async finish(): Promise<void> {
    await this.#chain;
    if (this.#failure) throw this.#failure;
    this.#encoder.stdin.end();
    const outcome = await this.#encoder.done;
    if (!succeeded(outcome)) throw new ProcessError('the audio encoder', outcome);
  }

  /** Stops it (a shutdown, a failure); idempotent. */
  async stop(): Promise<void> {
    await this.#encoder.stop(1000);
  }
}
