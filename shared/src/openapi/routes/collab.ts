import { boardSnapshotSchema, chatHistorySchema, collabConfigSchema } from '../../apiAnswers.js';
import type { ApiRegistry } from '../ApiRegistry.js';

/** server/src/collab/collabRouter.ts (mounted on /api): COL-n in docs/spec/collab.md. */
export function registerCollab(api: ApiRegistry): void {
  api.route({
    method: 'get', path: '/api/rooms/:id/chat', auth: 'admin', tag: 'collab',
    summary: 'The room\'s chat history, in order',
    responses: { 200: { description: 'the messages', schema: api.schema('ChatHistory', chatHistorySchema) } },
  });
  api.route({
    method: 'get', path: '/api/rooms/:id/board', auth: 'admin', tag: 'collab',
    summary: 'The room\'s whiteboard as a tldraw store snapshot',
    responses: { 200: { description: 'the snapshot', schema: boardSnapshotSchema } },
  });
  api.route({
    method: 'get', path: '/api/collab/config', auth: 'none', tag: 'collab',
    summary: 'The tldraw license key for the web client',
    responses: { 200: { description: 'the configuration', schema: collabConfigSchema } },
  });
}
