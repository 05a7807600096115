/**
 * The HTTP API's description (OpenAPI 3.1), generated from the zod schemas of shared/.
 *
 * EVERY ROUTE MUST BE REGISTERED. tests/integration/openapi.test.ts walks the routes of the real
 * express app and fails on any method + path that the document lacks (and on any the document
 * has that the app does not serve). To add a route:
 *
 *   1. Define its body and answer as zod schemas in shared/ (as for any protocol message).
 *   2. Register it in the file of its area under shared/src/openapi/routes/ (or a new file there,
 *      listed in shared/src/openapi/routes/index.ts), with express's path syntax:
 *
 *        api.route({
 *          method: 'post', path: '/api/rooms/:id/tokens', auth: 'admin', tag: 'rooms',
 *          summary: 'Mint a room token',
 *          body: mintTokenBodySchema,
 *          responses: { 200: { description: 'the token and its join link', schema: tokenResponseSchema } },
 *          errors: ['CONFLICT'],
 *        });
 *
 *      `auth`: 'admin' (Authorization: Bearer ADMIN_KEY), 'roomToken' (Bearer <room token>),
 *      'recorder' (Bearer RECORDER_KEY), 'metrics' (Bearer METRICS_TOKEN or ADMIN_KEY, or loopback),
 *      'adminOrRecordingAccess' (the admin key, or `?access=` of REC-V2), 'adminOrRoomToken' (the
 *      admin key, or a room token whose live role has the route's right: CAP-1), 'agentSession' (the
 *      session cookie of a signed-in agent, AUTH-8), or 'none'.
 *      Path parameters (`:id`) become string parameters by themselves; `params` overrides them.
 *      The error answers are added from the codes: the auth's (401/403), BAD_REQUEST when there is
 *      a body, ROOM_NOT_FOUND/NOT_FOUND for a path with parameters, and those listed in `errors`;
 *      all of them carry the one error payload `{ error: { code, message, params? } }`.
 *   3. A answer that is not JSON: `{ description, contentType: 'video/mp4' }` (no schema), or
 *      `{ description }` alone for an empty one (204). A body that is not JSON (a file):
 *      `rawBody: { contentTypes: ['text/vtt', …], description }` instead of `body`.
 */
import { OpenAPIRegistry, extendZodWithOpenApi, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z, type AnyZodObject, type ZodTypeAny } from 'zod';
import { ERROR_CODES, errorPayloadSchema, type ErrorCode } from '../errors.js';

extendZodWithOpenApi(z);

export type ApiAuth = 'admin' | 'roomToken' | 'recorder' | 'metrics' | 'adminOrRecordingAccess' | 'adminOrRoomToken' | 'agentSession' | 'none';
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ApiResponse {
  description: string;
  /** JSON answer. */
  schema?: ZodTypeAny;
  /** Not JSON (e.g. `video/mp4`, `text/html`, `text/plain`): described, not schematised. */
  contentType?: string;
}

export interface ApiRoute {
  method: HttpMethod;
  /** Express syntax: `/api/rooms/:id`. */
  path: string;
  auth: ApiAuth;
  /** Area of the reference page (rooms, invites, recordings, moderation, collab, internal, ...). */
  tag: string;
  summary: string;
  description?: string;
  body?: ZodTypeAny;
  /** A body that is not JSON (e.g. a captions file), in one of these media types. */
  rawBody?: { contentTypes: string[]; description: string };
  params?: AnyZodObject;
  query?: AnyZodObject;
  responses: Record<number, ApiResponse>;
  /** Refusal codes of this route beyond those its auth, body and path imply. */
  errors?: ErrorCode[];
}

const SECURITY: Record<ApiAuth, RouteConfig['security']> = {
  admin: [{ adminKey: [] }],
  roomToken: [{ roomToken: [] }],
  recorder: [{ recorderKey: [] }],
  metrics: [{ metricsToken: [] }, {}],
  adminOrRecordingAccess: [{ adminKey: [] }, { recordingAccess: [] }],
  adminOrRoomToken: [{ adminKey: [] }, { roomToken: [] }],
  agentSession: [{ agentSession: [] }],
  none: [],
};

const AUTH_ERRORS: Record<ApiAuth, ErrorCode[]> = {
  admin: ['UNAUTHORIZED', 'FORBIDDEN'],
  roomToken: ['TOKEN_MISSING', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_WRONG_ROOM', 'REMOVED', 'FORBIDDEN'],
  recorder: ['UNAUTHORIZED', 'FORBIDDEN'],
  metrics: ['UNAUTHORIZED', 'FORBIDDEN'],
  adminOrRecordingAccess: ['UNAUTHORIZED', 'FORBIDDEN', 'TOKEN_INVALID', 'TOKEN_EXPIRED'],
  adminOrRoomToken: ['UNAUTHORIZED', 'FORBIDDEN', 'TOKEN_INVALID', 'TOKEN_EXPIRED', 'TOKEN_WRONG_ROOM', 'REMOVED'],
  agentSession: ['LOGIN_REQUIRED', 'FORBIDDEN', 'RATE_LIMITED'],
  none: [],
};

/** `/api/rooms/:id` → `/api/rooms/{id}` (OpenAPI's path template). */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** The routes of the API and their schemas; `document()` renders the OpenAPI 3.1 document. */
export class ApiRegistry {
  readonly registry = new OpenAPIRegistry();
  readonly #routes: ApiRoute[] = [];
  readonly #error: ZodTypeAny;

  constructor() {
    this.#error = this.registry.register('Error', z.object({ error: errorPayloadSchema }).openapi({ description: 'Every refusal: a stable code (shared/src/errors.ts), an English message, and the values the client words need.' }));
    const bearer = (description: string, bearerFormat?: string) => ({ type: 'http' as const, scheme: 'bearer', ...(bearerFormat ? { bearerFormat } : {}), description });
    this.registry.registerComponent('securitySchemes', 'adminKey', bearer('ADMIN_KEY of the server (README, configuration).'));
    this.registry.registerComponent('securitySchemes', 'roomToken', bearer('A room token (POST /api/rooms/{id}/tokens, guest or invitation tokens), for its room.', 'JWT'));
    this.registry.registerComponent('securitySchemes', 'recorderKey', bearer('RECORDER_KEY: the recorders\' internal channel only (REC-8), never the admin key.'));
    this.registry.registerComponent('securitySchemes', 'metricsToken', bearer('METRICS_TOKEN or ADMIN_KEY; none needed from loopback.'));
    this.registry.registerComponent('securitySchemes', 'recordingAccess', {
      type: 'apiKey',
      in: 'query',
      name: 'access',
      description: 'The signed address of one recording\'s file (REC-V2), from GET /api/rooms/{id}/recordings/watch.',
    });
    this.registry.registerComponent('securitySchemes', 'agentSession', {
      type: 'apiKey',
      in: 'cookie',
      name: 'nomades_session',
      description: 'A signed-in agent\'s session cookie (AUTH-8; `__Host-nomades_session` under HTTPS). Changes need a same-origin request (`Sec-Fetch-Site` or `Origin`).',
    });
  }

  /** A named schema: shown once under components, referred to by routes. */
  schema<T extends ZodTypeAny>(name: string, schema: T): T {
    return this.registry.register(name, schema);
  }

  route(route: ApiRoute): void {
    this.#routes.push(route);
    const names = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
    const params = route.params ?? (names.length ? z.object(Object.fromEntries(names.map((n) => [n, z.string()]))) : undefined);
    const responses: Record<string, ResponseConfig> = {};
    for (const [status, answer] of Object.entries(route.responses)) {
      const content = answer.schema
        ? { 'application/json': { schema: answer.schema } }
        : answer.contentType
          ? { [answer.contentType]: { schema: { type: 'string' as const, ...(answer.contentType.startsWith('text/') ? {} : { format: 'binary' }) } } }
          : undefined;
      responses[status] = { description: answer.description, ...(content ? { content } : {}) };
    }
    const codes = new Set<ErrorCode>([...AUTH_ERRORS[route.auth], ...(route.errors ?? [])]);
    if (route.body || route.rawBody) codes.add('BAD_REQUEST');
    if (names.length) codes.add(route.path.startsWith('/api/rooms/:id') ? 'ROOM_NOT_FOUND' : 'NOT_FOUND');
    const byStatus = new Map<number, ErrorCode[]>();
    for (const code of codes) byStatus.set(ERROR_CODES[code], [...(byStatus.get(ERROR_CODES[code]) ?? []), code]);
    for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
      responses[String(status)] = { description: `refused: ${list.join(', ')}`, content: { 'application/json': { schema: this.#error } } };
    }
    this.registry.registerPath({
      method: route.method,
      path: openApiPath(route.path),
      operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      tags: [route.tag],
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      security: SECURITY[route.auth],
      request: {
        ...(params ? { params } : {}),
        ...(route.query ? { query: route.query } : {}),
        ...(route.body ? { body: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
        ...(route.rawBody
          ? {
              body: {
                required: true,
                description: route.rawBody.description,
                content: Object.fromEntries(route.rawBody.contentTypes.map((type) => [type, { schema: { type: 'string' as const } }])),
              },
            }
          : {}),
      },
      responses,
    });
  }

  /** What was registered, for the coverage test and the CLI. */
  routes(): readonly ApiRoute[] {
    return this.#routes;
  }
}
