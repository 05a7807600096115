import type { ApiRegistry } from '../ApiRegistry.js';

/** server/src/metrics/metricsRouter.ts (docs/spec/operations.md OPS-1…5). */
export function registerMetrics(api: ApiRegistry): void {
  api.route({
    method: 'get', path: '/metrics', auth: 'metrics', tag: 'service',
    summary: 'Prometheus metrics (text format 0.0.4): process, event loop, rooms, media, workers, joins, recordings, webhooks',
    description:
      'OPS-1: without a key only from the socket address 127.0.0.1 or ::1 and without a proxy header (Forwarded, X-Forwarded-For, X-Real-IP); ' +
      'from anywhere with `Authorization: Bearer <METRICS_TOKEN or ADMIN_KEY>`. No label names a room, a participant or a user (OPS-5).',
    responses: { 200: { description: 'the exposition', contentType: 'text/plain; version=0.0.4' } },
  });
}
