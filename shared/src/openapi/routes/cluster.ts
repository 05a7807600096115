import { clusterNodesSchema } from '../../cluster.js';
import type { ApiRegistry } from '../ApiRegistry.js';

/** Several nodes (NODE-6 in docs/operations/several-nodes.md). */
export function registerCluster(api: ApiRegistry): void {
  api.route({
    method: 'get', path: '/api/nodes', auth: 'admin', tag: 'service',
    summary: 'The live nodes of the service and the rooms each one hosts (404 NOT_FOUND on a single node)',
    responses: { 200: { description: 'the live nodes', schema: api.schema('ClusterNodes', clusterNodesSchema) } },
  });
}
