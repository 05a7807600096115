import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '@nomades/shared';

/** Requires `Authorization: Bearer <ADMIN_KEY>` (constant-time comparison). */
export function adminAuth(adminKey: string): RequestHandler {
  const expected = crypto.createHash('sha256').update(adminKey).digest();
  return (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    if (!match) return next(new AppError('UNAUTHORIZED', 'admin key required: Authorization: Bearer <ADMIN_KEY>'));
    const given = crypto.createHash('sha256').update(match[1]).digest();
    if (!crypto.timingSafeEqual(given, expected)) return next(new AppError('FORBIDDEN', 'wrong admin key'));
    next();
  };
}
