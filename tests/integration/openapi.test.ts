import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openApiPath } from '@nomades/shared/openapi';
import { latestApp, listRoutes } from '../../server/src/http/routeTable.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { AnswerValidator, validateDocument, type OpenApiDoc } from '../helpers/openApi.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/**
 * The API's description (README "HTTP API"; shared/src/openapi): GET /api/openapi.json is a valid
 * OpenAPI 3.1 document, lists exactly the routes the express app serves (a route added without
 * its registration fails here), and real answers of the server fit the schemas it gives.
 */
const api = suite<{ srv?: TestServer; doc?: OpenApiDoc; v?: AnswerValidator }>('OpenAPI document');

api.before(async (ctx) => {
  ctx.srv = await startTestServer({}, { keepData: true });
  const res = await fetch(`${ctx.srv.url}/api/openapi.json`);
  assert.is(res.status, 200);
  ctx.doc = (await res.json()) as OpenApiDoc;
  ctx.v = new AnswerValidator(ctx.doc);
});
api.after(async (ctx) => {
  await ctx.srv?.close();
  if (ctx.srv) fs.rmSync(ctx.srv.dataDir, { recursive: true, force: true });
});

const call = async (srv: TestServer, method: string, path: string, body?: unknown, auth: string | null = srv.adminKey) => {
  const res = await fetch(`${srv.url}${path}`, {
    method,
    headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined, type: res.headers.get('content-type') ?? '' };
};

api('the document is valid OpenAPI 3.1 (its meta-schema), with the error payload and the auth schemes', (ctx) => {
  const doc = ctx.doc!;
  assert.is(doc.openapi, '3.1.0');
  assert.equal(validateDocument(doc), []);
  // A broken document is refused: the check can fail.
  assert.ok(validateDocument({ ...doc, info: undefined }).length > 0);
  const badSchema = { '/x': { get: { responses: { 200: { description: 'x', content: { 'application/json': { schema: { type: 'nope' } } } } } } } };
  assert.ok(validateDocument({ ...doc, paths: badSchema }).length > 0, 'a schema object that is no JSON Schema is refused');
  const components = doc.components as { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  assert.ok(components.schemas.Error, 'the error payload is a named schema');
  assert.equal(Object.keys(components.securitySchemes).sort(), ['adminKey', 'agentSession', 'metricsToken', 'recorderKey', 'recordingAccess', 'roomToken']);
  assert.equal(doc.paths['/api/rooms'].post.responses['401'] !== undefined, true);
});

api('every route of the express app is in the document, and the document lists no route the app lacks', (ctx) => {
  const app = latestApp();
  assert.ok(app, 'the server made its app with recordMounts');
  const served = new Set(listRoutes(app!).map((r) => `${r.method.toUpperCase()} ${openApiPath(r.path)}`));
  assert.ok(served.size > 30, `the walk found the routers' routes (${served.size})`);
  const documented = new Set(
    Object.entries(ctx.doc!.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)),
  );
  assert.equal([...served].filter((r) => !documented.has(r)).sort(), [], 'routes served but not in the document (register them in shared/src/openapi/routes)');
  assert.equal([...documented].filter((r) => !served.has(r)).sort(), [], 'routes in the document that the app does not serve');
});

api('real answers fit the document: a room, its token, its public info, the lists, the errors', async (ctx) => {
  const srv = ctx.srv!;
  const v = ctx.v!;
  const created = await call(srv, 'POST', '/api/rooms', { name: 'Conseil de quartier', record: true });
  assert.is(created.status, 201);
  assert.equal(v.check('post', '/api/rooms', 201, created.json), []);
  const id = (created.json as { id: string }).id;
  const cases: Array<[string, string, string, unknown, string | null, number]> = [
    ['GET', `/api/rooms`, '/api/rooms', undefined, srv.adminKey, 200],
    ['GET', `/api/rooms/${id}`, '/api/rooms/{id}', undefined, srv.adminKey, 200],
    ['PATCH', `/api/rooms/${id}`, '/api/rooms/{id}', { maxParticipants: 12 }, srv.adminKey, 200],
    ['POST', `/api/rooms/${id}/tokens`, '/api/rooms/{id}/tokens', { name: 'Alice', role: 'host' }, srv.adminKey, 200],
    ['GET', `/api/rooms/${id}/public`, '/api/rooms/{id}/public', undefined, null, 200],
    ['POST', `/api/rooms/${id}/guest`, '/api/rooms/{id}/guest', { name: 'Bob' }, null, 200],
    ['POST', `/api/rooms/${id}/invites`, '/api/rooms/{id}/invites', { maxUses: 3 }, srv.adminKey, 201],
    ['GET', `/api/rooms/${id}/invites`, '/api/rooms/{id}/invites', undefined, srv.adminKey, 200],
    ['GET', `/api/rooms/${id}/recordings`, '/api/rooms/{id}/recordings', undefined, srv.adminKey, 200],
    ['GET', `/api/rooms/${id}/participants`, '/api/rooms/{id}/participants', undefined, srv.adminKey, 200],
    ['GET', `/api/rooms/${id}/chat`, '/api/rooms/{id}/chat', undefined, srv.adminKey, 200],
    ['GET', `/api/rooms/${id}/board`, '/api/rooms/{id}/board', undefined, srv.adminKey, 200],
    ['GET', '/api/collab/config', '/api/collab/config', undefined, null, 200],
    ['GET', '/healthz', '/healthz', undefined, null, 200],
    // Refusals: the one error payload, with the status the document gives.
    ['GET', '/api/rooms', '/api/rooms', undefined, null, 401],
    ['GET', '/api/rooms', '/api/rooms', undefined, 'not-the-admin-key-at-all', 403],
    ['GET', '/api/rooms/nope-nope', '/api/rooms/{id}', undefined, srv.adminKey, 404],
    ['POST', '/api/rooms', '/api/rooms', { name: 'Conseil de quartier' }, srv.adminKey, 409],
    ['POST', `/api/rooms/${id}/tokens`, '/api/rooms/{id}/tokens', { name: '' }, srv.adminKey, 400],
    ['GET', '/api/recordings/rec_missing-recording', '/api/recordings/{id}', undefined, srv.adminKey, 404],
    ['POST', `/api/rooms/${id}/invites/current`, '/api/rooms/{id}/invites/current', undefined, null, 401],
  ];
  for (const [method, url, path, body, auth, status] of cases) {
    const res = await call(srv, method, url, body, auth);
    assert.is(res.status, status, `${method} ${url}: ${JSON.stringify(res.json)}`);
    assert.equal(v.check(method, path, status, res.json), [], `${method} ${url}`);
  }
  // The validator can fail: a room without its id does not fit.
  assert.ok(v.check('get', '/api/rooms/{id}', 200, { ...(created.json as object), id: undefined }).length > 0);
  assert.ok(v.check('get', '/api/rooms', 401, { error: { code: 'NO_SUCH_CODE', message: 'x' } }).length > 0);
});

api('GET /api/docs is a page of our own listing every operation, under the CSP, with no script', async (ctx) => {
  const res = await fetch(`${ctx.srv!.url}/api/docs`);
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const page = await res.text();
  assert.not.match(page, /<script/i);
  assert.not.match(page, /https?:\/\/(?!127\.0\.0\.1)[a-z]/i, 'no external asset');
  for (const [path, ops] of Object.entries(ctx.doc!.paths)) {
    for (const method of Object.keys(ops)) assert.ok(page.includes(`id="${method}-${path}"`), `${method} ${path} on the page`);
  }
  assert.ok(page.includes('id="schema-RoomInfo"'));
});

exitAfterRun(api);
