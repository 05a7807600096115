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
  const summaries: Record<string, string> = {
    '/': 'The web client\'s home page (with `?state=`: the return of a logout at the provider, AUTH-11: 303 home, or to the error page when the state is not this browser\'s)',
    '/room/:roomId': 'The web client in a room (`?name=`, `?autojoin=1`, `?token=`)',
    '/connexion/erreur': 'The web client\'s page saying why a sign-in failed (`?code=`: authErrorCode, AUTH-14)',
  };
  for (const path of Object.keys(summaries)) {
    api.route({
      method: 'get', path, auth: 'none', tag: 'web client',
      summary: summaries[path],
      responses: { 200: { description: 'the page', contentType: 'text/html' }, 503: { description: 'the client is not built', contentType: 'text/plain' } },
    });
  }
}
