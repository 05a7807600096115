import { Router } from 'express';
import { AppError, type ClusterNodes } from '@nomades/shared';
import { adminAuth } from '../http/adminAuth.js';
import type { NodeDirectory } from './NodeDirectory.js';

/** NODE-6, mounted on /api (admin key): `GET /nodes`, the live nodes and the rooms each hosts (404 on one node). */
export function nodesRouter(deps: { directory?: NodeDirectory; adminKey: string }): Router {
  const router = Router();
  router.get('/nodes', adminAuth(deps.adminKey), async (_req, res) => {
    const directory = deps.directory;
    if (!directory) throw new AppError('NOT_FOUND', 'a single node: no node directory (DATABASE_URL and REDIS_URL make several nodes)');
    const live = await directory.liveNodes();
    const nodes = await Promise.all(live.map(async (n) => ({ ...n, rooms: (await directory.roomsOf(n.id)).sort() })));
    const body: ClusterNodes = { self: directory.id, nodes: nodes.sort((a, b) => a.id.localeCompare(b.id)) };
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  });
  return router;
}
