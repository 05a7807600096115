import { AppError } from '@nomades/shared';

/** PostgreSQL's codes for a server going away or not yet accepting (class 08 and 57P0x). */
const PG_UNREACHABLE = new Set(['08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03']);
const NET_UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);

/**
 * A failure to reach the database (PostgreSQL restarting, the network to it cut) as the
 * retryable UNAVAILABLE the API and the handshake answer, instead of an INTERNAL error; anything
 * else: undefined.
 */
export function storeUnavailable(error: unknown): AppError | undefined {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  if (PG_UNREACHABLE.has(code) || NET_UNREACHABLE.has(code) || /Connection terminated|connection timeout|Query read timeout|timeout exceeded when trying to connect/i.test(message)) {
    return new AppError('UNAVAILABLE', 'the database cannot be reached for now; try again');
  }
  return undefined;
}
