import type { z } from 'zod';
import { errorPayloadSchema, type ErrorCode } from '@nomades/shared';
import { ClientError } from './ClientError';

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'TOKEN_INVALID';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'ROOM_NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'UNAVAILABLE';
  return 'BAD_REQUEST';
}

/**
 * One call of the server's HTTP API: its answer checked against a schema of shared/, or a
 * ClientError with the server's code and params (never a sentence: the UI words it, ERR-1).
 */
export async function apiRequest<S extends z.ZodTypeAny>(
  path: string,
  schema: S,
  options: { method?: 'GET' | 'POST' | 'PUT' | 'DELETE'; body?: unknown; bearer?: string; file?: { data: Blob | string; type: string } } = {},
): Promise<z.infer<S>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        // A file (CAP-1: captions) goes as it is, with its own media type.
        ...(options.file ? { 'content-type': options.file.type } : {}),
        ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
      },
      body: options.file ? options.file.data : options.body !== undefined ? JSON.stringify(options.body) : undefined,
      cache: 'no-store',
    });
  } catch {
    throw new ClientError('UNAVAILABLE', `${path}: the server cannot be reached`);
  }
  // 204: no body (a schema such as z.undefined() takes it).
  const body: unknown = response.status === 204 ? undefined : await response.json().catch(() => null);
  if (!response.ok) {
    const error = errorPayloadSchema.safeParse((body as { error?: unknown } | null)?.error);
    if (error.success) throw ClientError.fromPayload(error.data);
    throw new ClientError(codeForStatus(response.status), `${path}: HTTP ${response.status}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ClientError('INTERNAL', `${path}: malformed answer`);
  return parsed.data;
}
