import { Router } from 'express';
import { AppError, type ClusterNodes, type NodeLinkPing } from '@nomades/shared';
import { adminAuth } from '../http/adminAuth.js';
import type { NodeDirectory } from './NodeDirectory.js';
import type { NodeLinks } from './NodeLinks.js';

const SINGLE_NODE = 'a single node: no node directory (DATABASE_URL and REDIS_URL make several nodes)';

/**
 * NODE-6, mounted on /api (admin key; 404 on one node):
 * - `GET /nodes`: the live nodes, the rooms each hosts and those whose media it hosts as an annex (SPAN-6);
 * - `GET /nodes/:id/ping`: a round trip over the node link to node :id (SPAN-2), what an operator
 *   checks when two nodes must reach each other's own address.
 */
export function nodesRouter(deps: { directory?: NodeDirectory; links?: () => NodeLinks | undefined; adminKey: string }): Router {
  const router = Router();
  router.get('/nodes', adminAuth(deps.adminKey), async (_req, res) => {
    const directory = deps.directory;
    if (!directory) throw new AppError('NOT_FOUND', SINGLE_NODE);
    const live = await directory.liveNodes();
    const nodes = await Promise.all(live.map(async (n) => ({
      ...n,
      rooms: (await directory.roomsOf(n.id)).sort(),
      annexRooms: await directory.annexRoomsOf(n.id), // SPAN-6
    })));
    const body: ClusterNodes = { self: directory.id, nodes: nodes.sort((a, b) => a.id.localeCompare(b.id)) };
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  });
  router.get('/nodes/:id/ping', adminAuth(deps.adminKey), async (req, res) => {
    const directory = deps.directory;
    const links = deps.links?.();
    if (!directory || !links) throw new AppError('NOT_FOUND', SINGLE_NODE);
    const id = String(req.params.id);
    if (!(await directory.liveNodes()).some((n) => n.id === id)) throw new AppError('NOT_FOUND', `no live node ${id.slice(0, 64)}`);
    const answer = await links.ping(id);
    const body: NodeLinkPing = { from: directory.id, node: answer.node, time: answer.time, ms: answer.ms };
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  });
  return router;
}
