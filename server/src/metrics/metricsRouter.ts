import { Router } from 'express';
import { AppError } from '@nomades/shared';
import { metricsAccess } from './metricsAccess.js';
import type { Metrics } from './Metrics.js';

/** Where Prometheus scrapes (OPS-1). */
export const METRICS_PATH = '/metrics';

/** `GET /metrics`: the Prometheus text exposition, under the OPS-1 rule. */
export function metricsRouter(deps: { metrics: Metrics; keys: readonly string[] }): Router {
  const router = Router();
  router.get(METRICS_PATH, async (req, res, next) => {
    const access = metricsAccess({ socketAddress: req.socket.remoteAddress, headers: req.headers }, deps.keys);
    if (!access.allowed) {
      if (access.code === 'UNAUTHORIZED') res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      return next(new AppError(access.code, access.message));
    }
    try {
      const text = await deps.metrics.text();
      res.setHeader('Cache-Control', 'no-store');
      res.type(deps.metrics.contentType).send(text);
    } catch (error) {
      next(error);
    }
  });
  return router;
}
