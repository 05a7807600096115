import { clusterNodesSchema, nodeLinkPingSchema } from '../../cluster.js';
import type { ApiRegistry } from '../ApiRegistry.js';

/** Several nodes (NODE-6 in docs/operations/several-nodes.md). */
export function registerCluster(api: ApiRegistry): void {
  api.route({
    method: 'get', path: '/api/nodes', auth: 'admin', tag: 'service',
    summary: 'The live nodes of the service and the rooms each one hosts (404 NOT_FOUND on a single node)',
    responses: { 200: { description: 'the live nodes', schema: api.schema('ClusterNodes', clusterNodesSchema) } },
  });
  api.route({
    method: 'get', path: '/api/nodes/:id/ping', auth: 'admin', tag: 'service',
    summary: 'A round trip over the node link from the node asked to node :id (SPAN-2); 503 UNAVAILABLE when it cannot be reached',
    responses: { 200: { description: 'the answer of node :id', schema: api.schema('NodeLinkPing', nodeLinkPingSchema) } },
    errors: ['UNAVAILABLE'],
  });
}
