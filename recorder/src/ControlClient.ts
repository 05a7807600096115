import type { z } from 'zod';
import {
  INTERNAL_RECORDINGS_PATH,
  INTERNAL_RECORDING_ROUTES as ROUTES,
  fillPath,
  type InternalRoute,
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
 * hosts the room, `Authorization: Bearer RECORDER_KEY`; routes, bodies and answers defined once in
 * shared/src/recording/internalApi.ts, which the server mounts too). Every body and answer is validated. It exists
 * only for a control URL the recorder is configured for (REC-8): the constructor throws a
 * ControlError for any other, before anything is sent.
 */
export class ControlClient {
  readonly #base: string;
  readonly #recordingId: string;
  readonly #key: string;

  constructor(controlUrl: string, recordingId: string, key: string, allowed: ControlUrls) {
    if (!allowed.allows(controlUrl)) {
      throw new ControlError(`the job names a control URL this recorder is not configured for (RECORDER_CONTROL_URL): ${controlUrl.slice(0, 200)}`);
    }
    this.#base = `${controlUrl.replace(/\/$/, '')}${INTERNAL_RECORDINGS_PATH}`;
    this.#recordingId = recordingId;
    this.#key = key;
  }

  streams(): Promise<RecordingStreamsResponse> {
    return this.#call(ROUTES.streams);
  }

  openTap(request: TapRequest): Promise<TapResponse> {
    return this.#call(ROUTES.openTap, {}, request);
  }

  async resumeTap(producerId: string): Promise<void> {
    await this.#call(ROUTES.resumeTap, { producerId }, {});
  }

  async closeTap(producerId: string): Promise<void> {
    await this.#call(ROUTES.closeTap, { producerId });
  }

  async report(report: RecordingReport): Promise<void> {
    await this.#call(ROUTES.report, {}, report);
  }

  async #call<R extends InternalRoute>(route: R, params: Record<string, string> = {}, body?: unknown): Promise<R['answer'] extends z.ZodTypeAny ? z.infer<R['answer']> : void> {
    const method = route.method.toUpperCase();
    const path = fillPath(route.path, { id: this.#recordingId, ...params });
    if (route.body) {
      const checked = route.body.safeParse(body);
      if (!checked.success) throw new ControlError(`${method} ${route.path}: refused before sending (${checked.error.issues[0]?.message})`);
    }
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
    const schema = route.answer;
    if (!schema) return undefined as never;
    const parsed = schema.safeParse(text ? JSON.parse(text) : {});
    if (!parsed.success) throw new ControlError(`${method} ${path}: unexpected answer (${parsed.error.issues[0]?.message})`);
    return parsed.data;
  }
}
