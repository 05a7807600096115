import { chatEraseQuerySchema, chatEraseResponseSchema } from '../../retention.js';
import { webhookDeadLettersSchema } from '../../webhooks/webhookEvents.js';
import type { ApiRegistry } from '../ApiRegistry.js';

/**
 * server/src/webhooks/webhooksRouter.ts (HOOK-6) and the chat erasure of
 * server/src/collab/collabRouter.ts (RET-3), both mounted on /api (docs/spec/signaling.md).
 */
export function registerWebhooks(api: ApiRegistry): void {
  api.route({
    method: 'get', path: '/api/webhooks/dead-letters', auth: 'admin', tag: 'webhooks',
    summary: 'Webhook deliveries given up after their last attempt (HOOK-6), newest first',
    responses: { 200: { description: 'the dead letters', schema: api.schema('WebhookDeadLetters', webhookDeadLettersSchema) } },
  });
  api.route({
    method: 'post', path: '/api/webhooks/dead-letters/:id/retry', auth: 'admin', tag: 'webhooks',
    summary: 'Queue a dead letter again, from zero attempts',
    responses: { 204: { description: 'queued' } },
  });
  api.route({
    method: 'delete', path: '/api/webhooks/dead-letters/:id', auth: 'admin', tag: 'webhooks',
    summary: 'Forget a dead letter',
    responses: { 204: { description: 'forgotten' } },
  });
  api.route({
    method: 'delete', path: '/api/rooms/:id/chat/messages', auth: 'admin', tag: 'collab',
    summary: 'Erase one identity\'s chat messages in a room (RET-3), live clients included',
    query: chatEraseQuerySchema,
    responses: { 200: { description: 'how many were removed', schema: chatEraseResponseSchema } },
  });
}
