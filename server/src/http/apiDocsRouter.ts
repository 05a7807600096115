import { Router } from 'express';
import { openApiDocument } from '@nomades/shared/openapi';
import { renderApiDocsPage } from './apiDocsPage.js';

/**
 * Mounted on /api: `GET /openapi.json`, the OpenAPI 3.1 document generated from shared/'s zod
 * schemas (shared/src/openapi), and `GET /docs`, the same as a page rendered here (no script: the
 * CSP allows only our own, and an intranet reaches no CDN). Both public: they hold no secret.
 */
export function apiDocsRouter(deps: { publicUrl: () => string }): Router {
  const router = Router();
  let cached: { url: string; doc: Record<string, unknown>; page: string } | undefined;
  const current = () => {
    const url = deps.publicUrl();
    if (cached?.url !== url) {
      const doc = openApiDocument({ serverUrl: url || undefined });
      cached = { url, doc, page: renderApiDocsPage(doc) };
    }
    return cached;
  };
  router.get('/openapi.json', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.json(current().doc);
  });
  router.get('/docs', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(current().page);
  });
  return router;
}
