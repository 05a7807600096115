import type { z } from 'zod';
import {
  recordingStreamsResponseSchema,
  tapResponseSchema,
  type RecordingReport,
  type RecordingStreamsResponse,
  type TapRequest,
  type TapResponse,
} from '@nomades/shared';
import type { ControlUrls } from './ControlUrls.js';

export class ControlError extends Error {
  override name = 'ControlError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * The recorder's side of the internal channel (`/internal/recordings/:id/...` on the server that
 * hosts the room, `Authorization: Bearer RECORDER_KEY`). Every answer is validated. It exists
 * only for a control URL the recorder is configured for (REC-8): the constructor throws a
 * ControlError for any other, before anything is sent.
 */
export class ControlClient {
  readonly #base: string;
  readonly #key: string;

  constructor(controlUrl: string, recordingId: string, key: string, allowed: ControlUrls) {
    if (!allowed.allows(controlUrl)) {
      throw new ControlError(`the job names a control URL this recorder is not configured for (RECORDER_CONTROL_URL): ${controlUrl.slice(0, 200)}`);
    }
    this.#base = `${controlUrl.replace(/\/$/, '')}/internal/recordings/${encodeURIComponent(recordingId)}`;
    this.#key = key;
  }

  streams(): Promise<RecordingStreamsResponse> {
    return this.#call('GET', '/streams', undefined, recordingStreamsResponseSchema);
  }

  openTap(request: TapRequest): Promise<TapResponse> {
    return this.#call('POST', '/taps', request, tapResponseSchema);
  }

  async resumeTap(producerId: string): Promise<void> {
    await this.#call('POST', `/taps/${encodeURIComponent(producerId)}/resume`, {});
  }

  async closeTap(producerId: string): Promise<void> {
    await this.#call('DELETE', `/taps/${encodeURIComponent(producerId)}`);
  }

  async report(report: RecordingReport): Promise<void> {
    await this.#call('POST', '/report', report);
  }

  async #call<S extends z.ZodTypeAny>(method: string, path: string, body?: unknown, schema?: S): Promise<z.infer<S>> {
    let res: Response;
    try {
      res = await fetch(this.#base + path, {
        method,
        headers: { authorization: `Bearer ${this.#key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new ControlError(`control channel unreachable: ${(error as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) throw new ControlError(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`, res.status);
    if (!schema) return undefined;
    const parsed = schema.safeParse(text ? JSON.parse(text) : {});
    if (!parsed.success) throw new ControlError(`${method} ${path}: unexpected answer (${parsed.error.issues[0]?.message})`);
    return parsed.data;
  }
}
