import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { ApiRegistry } from './ApiRegistry.js';
import { REGISTRATIONS } from './routes/index.js';

export { ApiRegistry, openApiPath, type ApiAuth, type ApiRoute, type ApiResponse, type HttpMethod } from './ApiRegistry.js';

/**
 * `@nomades/shared/openapi` (server side only: it extends zod with `.openapi()`; the web client
 * never imports it). The registrations of every route, and the document built from them.
 */
export function apiRegistry(): ApiRegistry {
  const api = new ApiRegistry();
  for (const register of REGISTRATIONS) register(api);
  return api;
}

export interface OpenApiDocumentOptions {
  version?: string;
  /** Base URL of the server (PUBLIC_URL), listed under `servers`. */
  serverUrl?: string;
}

/** The OpenAPI 3.1 document of the HTTP API (GET /api/openapi.json). */
export function openApiDocument(options: OpenApiDocumentOptions = {}): Record<string, unknown> {
  const generator = new OpenApiGeneratorV31(apiRegistry().registry.definitions);
  const doc = generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'nomades-visio HTTP API',
      version: options.version ?? '0.1.0',
      description:
        'Rooms, tokens, invitations, recordings, moderation, whiteboard and chat of a nomades-visio server. ' +
        'Every refusal is `{ "error": { "code", "message", "params"? } }` with the code\'s HTTP status (shared/src/errors.ts). ' +
        'Generated from the zod schemas of shared/ (shared/src/openapi).',
      license: { name: 'proprietary', identifier: 'LicenseRef-nomades' },
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
  });
  return doc as unknown as Record<string, unknown>;
}
