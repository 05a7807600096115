import { z } from 'zod';
import { LIMITS } from './limits.js';

/**
 * Retention (docs/spec/signaling.md, "Retention", RET-n): what the
 * admin call erasing one identity's chat messages takes and answers.
 */

/** `DELETE /api/rooms/:id/chat/messages?identity=<sub>` (RET-3): the token `sub` whose messages go. */
export const chatEraseQuerySchema = z.object({
  identity: z.string().min(1).max(LIMITS.maxIdLength * 2),
});
export type ChatEraseQuery = z.infer<typeof chatEraseQuerySchema>;

export const chatEraseResponseSchema = z.object({
  /** Messages removed from the room's chat history (0 when it had none of that identity). */
  removed: z.number().int().nonnegative(),
});
export type ChatEraseResponse = z.infer<typeof chatEraseResponseSchema>;

/** How often the retention sweep runs (RET-1/2), besides once at start. */
export const RETENTION_SWEEP_INTERVAL_MS = 60 * 60 * 1000;
