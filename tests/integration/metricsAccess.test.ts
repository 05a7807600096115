import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { metricsAccess } from '../../server/src/metrics/metricsAccess.js';
import { parsePrometheusText } from '../helpers/promText.js';
import { httpGet } from '../helpers/scrape.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/**
 * OPS-1 (docs/spec/operations.md): who reads GET /metrics. The rule as a pure function of the
 * socket's address and the headers, then real requests: from 127.0.0.1 without a key; from
 * 127.0.0.2 (the address a local TCP relay is bound to, as nginx's stream block in
 * docs/operations/nginx-443.conf) and with proxy headers only with METRICS_TOKEN or ADMIN_KEY.
 */
const METRICS_TOKEN = 'metrics-token-for-the-test-0123';
const ADMIN = 'admin-key-for-the-metrics-test';
const keys = [ADMIN, METRICS_TOKEN];

const rule = suite('OPS-1 rule');

rule('loopback 127.0.0.1 / ::1 without proxy headers: open', () => {
  for (const socketAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
    assert.equal(metricsAccess({ socketAddress, headers: {} }, keys), { allowed: true, via: 'loopback' }, socketAddress);
  }
});

rule('any other address, other loopback addresses included, needs the key: UNAUTHORIZED', () => {
  for (const socketAddress of ['127.0.0.2', '127.1.2.3', '10.1.2.3', '192.168.1.20', '2001:db8::1', '::ffff:10.0.0.1', undefined]) {
    const access = metricsAccess({ socketAddress, headers: {} }, keys);
    assert.is(access.allowed, false, String(socketAddress));
    assert.is(!access.allowed && access.code, 'UNAUTHORIZED', String(socketAddress));
  }
});

rule('a request relayed by an HTTP proxy (its headers) is not local, even from 127.0.0.1', () => {
  for (const headers of [{ 'x-forwarded-for': '203.0.113.9' }, { 'x-forwarded-for': '127.0.0.1' }, { forwarded: 'for=203.0.113.9' }, { 'x-real-ip': '203.0.113.9' }]) {
    const access = metricsAccess({ socketAddress: '127.0.0.1', headers }, keys);
    assert.is(!access.allowed && access.code, 'UNAUTHORIZED', JSON.stringify(headers));
  }
});

rule('Bearer METRICS_TOKEN or ADMIN_KEY opens from anywhere; a wrong one is FORBIDDEN, even from loopback', () => {
  for (const key of keys) {
    assert.equal(metricsAccess({ socketAddress: '10.1.2.3', headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': '198.51.100.7' } }, keys), { allowed: true, via: 'key' });
  }
  for (const socketAddress of ['10.1.2.3', '127.0.0.1']) {
    const wrong = metricsAccess({ socketAddress, headers: { authorization: `Bearer ${METRICS_TOKEN}x` } }, keys);
    assert.is(!wrong.allowed && wrong.code, 'FORBIDDEN', socketAddress);
    const basic = metricsAccess({ socketAddress, headers: { authorization: `Basic ${Buffer.from(`x:${ADMIN}`).toString('base64')}` } }, keys);
    assert.is(!basic.allowed && basic.code, 'UNAUTHORIZED', `${socketAddress}: not a bearer`);
  }
  // Without METRICS_TOKEN configured only the admin key opens.
  const only = metricsAccess({ socketAddress: '10.1.2.3', headers: { authorization: `Bearer ${METRICS_TOKEN}` } }, [ADMIN]);
  assert.is(!only.allowed && only.code, 'FORBIDDEN');
});

rule.run();

const http = suite<{ srv?: TestServer }>('OPS-1 over HTTP', {});
http.before(async (ctx) => {
  ctx.srv = await startTestServer({ METRICS_TOKEN, ADMIN_KEY: ADMIN });
});
http.after(async (ctx) => {
  await ctx.srv?.close();
});

http('from 127.0.0.1: 200 with the exposition', async (ctx) => {
  const answer = await httpGet(ctx.srv!.url, '/metrics', { localAddress: '127.0.0.1' });
  assert.is(answer.status, 200);
  assert.ok(parsePrometheusText(answer.body).has('nomades_rooms'));
});

http('from 127.0.0.2 without a key: 401 UNAUTHORIZED in the error taxonomy, with WWW-Authenticate', async (ctx) => {
  const answer = await httpGet(ctx.srv!.url, '/metrics', { localAddress: '127.0.0.2' });
  assert.is(answer.status, 401);
  assert.is(JSON.parse(answer.body).error.code, 'UNAUTHORIZED');
  assert.match(String(answer.headers['www-authenticate']), /^Bearer /);
  assert.not.match(answer.body, /nomades_/);
});

http('from 127.0.0.2: METRICS_TOKEN and ADMIN_KEY open, a wrong key is 403 FORBIDDEN', async (ctx) => {
  for (const key of keys) {
    const answer = await httpGet(ctx.srv!.url, '/metrics', { localAddress: '127.0.0.2', headers: { authorization: `Bearer ${key}` } });
    assert.is(answer.status, 200);
    assert.ok(parsePrometheusText(answer.body).has('nomades_participants'));
  }
  const wrong = await httpGet(ctx.srv!.url, '/metrics', { localAddress: '127.0.0.2', headers: { authorization: 'Bearer not-the-metrics-token' } });
  assert.is(wrong.status, 403);
  assert.is(JSON.parse(wrong.body).error.code, 'FORBIDDEN');
});

http('from 127.0.0.1 through a proxy (X-Forwarded-For): 401, whatever trust proxy says of the client', async (ctx) => {
  const answer = await httpGet(ctx.srv!.url, '/metrics', { localAddress: '127.0.0.1', headers: { 'x-forwarded-for': '127.0.0.1' } });
  assert.is(answer.status, 401);
  assert.is(JSON.parse(answer.body).error.code, 'UNAUTHORIZED');
  const keyed = await httpGet(ctx.srv!.url, '/metrics', { headers: { 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.is(keyed.status, 200);
});

http('only GET: other methods are no metrics route', async (ctx) => {
  const res = await fetch(`${ctx.srv!.url}/metrics`, { method: 'POST' });
  assert.is(res.status, 404);
});

http.run();
