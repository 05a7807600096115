import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Root logger. Named children carry context: `logger.child({ name: 'signaling', room, peer })`.
 * Level rubric: info for lifecycle transitions only (start, room opened/closed, peer joined/left),
 * debug for per-request detail, warn for refused client input, error for our own failures.
 * Never log tokens or secrets (redacted below as a safety net).
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    redact: { paths: ['token', '*.token', 'auth.token', 'adminKey', 'tokenSecret', 'headers.authorization'], censor: '[redacted]' },
  });
}
