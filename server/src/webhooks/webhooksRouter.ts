import { Router } from 'express';
import { z } from 'zod';
import { AppError, type WebhookDeadLetters } from '@nomades/shared';
import { adminAuth } from '../http/adminAuth.js';
import type { Webhooks } from './WebhookTypes.js';

/** A delivery's id: `<event uuid>-<endpoint key>` (WebhookQueue). */
const deliveryIdSchema = z.string().regex(/^[A-Za-z0-9-]{1,100}$/);

/**
 * HOOK-6, mounted on /api (admin key): `GET /webhooks/dead-letters` lists the deliveries given up
 * (newest first); `POST /webhooks/dead-letters/:id/retry` queues one again from zero attempts;
 * `DELETE /webhooks/dead-letters/:id` forgets one. 404 NOT_FOUND for an id that is not a dead letter.
 */
export function webhooksRouter(deps: { webhooks: Webhooks; adminKey: string }): Router {
  const router = Router();
  const admin = adminAuth(deps.adminKey);
  const idOf = (raw: unknown): string => {
    const parsed = deliveryIdSchema.safeParse(raw);
    if (!parsed.success) throw new AppError('NOT_FOUND', 'no such dead letter');
    return parsed.data;
  };

  router.get('/webhooks/dead-letters', admin, async (_req, res) => {
    const body: WebhookDeadLetters = await deps.webhooks.deadLetters();
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  });
  router.post('/webhooks/dead-letters/:id/retry', admin, async (req, res) => {
    if (!(await deps.webhooks.retryDeadLetter(idOf(req.params.id)))) throw new AppError('NOT_FOUND', 'no such dead letter');
    res.status(204).end();
  });
  router.delete('/webhooks/dead-letters/:id', admin, async (req, res) => {
    if (!(await deps.webhooks.discardDeadLetter(idOf(req.params.id)))) throw new AppError('NOT_FOUND', 'no such dead letter');
    res.status(204).end();
  });
  return router;
}
