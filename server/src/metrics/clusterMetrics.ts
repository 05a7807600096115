import type { ClusterNode } from '../cluster/ClusterNode.js';
import type { Metrics } from './Metrics.js';

/** NODE-6: with several nodes, how many are live and how many rooms this one hosts (read at scrape time). */
export function clusterMetrics(metrics: Metrics, cluster: ClusterNode): void {
  metrics.gauge({ name: 'nomades_cluster_live_nodes', help: 'Live nodes this node knows of, itself included (NODE-6).', read: () => cluster.placement.otherNodes().length + 1 });
  metrics.gauge({ name: 'nomades_cluster_hosted_rooms', help: 'Rooms the node directory places on this node (NODE-6).', read: () => cluster.directory.hostedRooms().length });
}
