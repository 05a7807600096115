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
  options: { method?: 'GET' | 'POST'; body?: unknown; bearer?: string } = {},
): Promise<z.infer<S>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      cache: 'no-store',
    });
  } catch {
    throw new ClientError('UNAVAILABLE', `${path}: the server cannot be reached`);
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = errorPayloadSchema.safeParse((body as { error?: unknown } | null)?.error);
    if (error.success) throw ClientError.fromPayload(error.data);
    throw new ClientError(codeForStatus(response.status), `${path}: HTTP ${response.status}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ClientError('INTERNAL', `${path}: malformed answer`);
  return parsed.data;
}
