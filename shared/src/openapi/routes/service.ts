import { healthSchema } from '../../apiAnswers.js';
import type { ApiRegistry } from '../ApiRegistry.js';

/** server/src/http/createHttpApp.ts and server/src/http/apiDocsRouter.ts: health, this description, the web client's pages. */
export function registerService(api: ApiRegistry): void {
  api.route({
    method: 'get', path: '/healthz', auth: 'none', tag: 'service',
    summary: 'Health: media workers, rooms, background faults, recording queue (REC-11)',
    responses: { 200: { description: '`ok`, or `degraded` after a background failure', schema: healthSchema } },
  });
  api.route({
    method: 'get', path: '/api/openapi.json', auth: 'none', tag: 'service',
    summary: 'This document (OpenAPI 3.1)',
    responses: { 200: { description: 'the document', contentType: 'application/json' } },
  });
  api.route({
    method: 'get', path: '/api/docs', auth: 'none', tag: 'service',
    summary: 'This document as a page to read',
    responses: { 200: { description: 'the reference page', contentType: 'text/html' } },
  });
  for (const path of ['/', '/room/:roomId']) {
    api.route({
      method: 'get', path, auth: 'none', tag: 'web client',
      summary: path === '/' ? 'The web client\'s home page' : 'The web client in a room (`?name=`, `?autojoin=1`, `?token=`)',
      responses: { 200: { description: 'the page', contentType: 'text/html' }, 503: { description: 'the client is not built', contentType: 'text/plain' } },
    });
  }
}
