import { INTERNAL_RECORDINGS_PATH, INTERNAL_RECORDING_ROUTES, type InternalRoute } from '../../recording/internalApi.js';
import type { ApiRegistry } from '../ApiRegistry.js';

/** The recorders' channel (shared/src/recording/internalApi.ts), not for the portal: REC-8 in recorder/README.md. */
export function registerInternal(api: ApiRegistry): void {
  for (const route of Object.values(INTERNAL_RECORDING_ROUTES) as InternalRoute[]) {
    api.route({
      method: route.method,
      path: `${INTERNAL_RECORDINGS_PATH}${route.path}`,
      auth: 'recorder',
      tag: 'internal (recorders)',
      summary: route.summary,
      ...(route.body ? { body: route.body } : {}),
      responses: route.answer ? { 200: { description: 'done', schema: route.answer } } : { 204: { description: 'done' } },
      errors: route.path === '/:id/streams' ? [] : ['CONFLICT'],
    });
  }
}
