import crypto from 'node:crypto';

/** Constant-time comparison of two secrets of any length (their SHA-256 digests). */
export function sameSecret(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}
