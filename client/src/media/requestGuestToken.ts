import { errorPayloadSchema, tokenResponseSchema, type ErrorCode, type TokenResponse } from '@nomades/shared';
import { ClientError } from './ClientError';

function codeForStatus(status: number): ErrorCode {
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'ROOM_NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'UNAVAILABLE';
  return 'BAD_REQUEST';
}

/** `POST /api/rooms/:id/guest`: a guest token for this room, or a ClientError with the server's code. */
export async function requestGuestToken(roomId: string, name: string): Promise<TokenResponse> {
  let response: Response;
  try {
    response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/guest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
  } catch {
    throw new ClientError('UNAVAILABLE', 'The server cannot be reached.');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = errorPayloadSchema.safeParse((body as { error?: unknown } | null)?.error);
    if (error.success) throw ClientError.fromPayload(error.data);
    throw new ClientError(codeForStatus(response.status), `HTTP ${response.status}`);
  }
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) throw new ClientError('INTERNAL', 'malformed answer to the guest token request');
  return parsed.data;
}
