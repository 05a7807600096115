import https from 'node:https';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Daemon } from '../helpers/Daemon.js';
import { freePort } from '../helpers/MainProcess.js';
import { Nginx } from '../helpers/Nginx.js';
import { httpGet } from '../helpers/scrape.js';
import { makeTestCert, type TestCert } from '../helpers/testCert.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/**
 * OPS-1 behind the repo's nginx recipe (docs/operations/nginx-443.conf, run as written on
 * 127.0.0.3:443 of this machine's loopback): a request from outside must not look local, neither
 * through nginx's HTTPS server (it adds X-Forwarded-For) nor as plain HTTP bytes sent to port 443,
 * which the `stream` block passes to the server untouched: its `proxy_bind 127.0.0.2` makes them
 * arrive from 127.0.0.2, not 127.0.0.1. With the metrics key both ways answer.
 */
const RECIPE = path.resolve(import.meta.dirname, '../../docs/operations/nginx-443.conf');
const FRONT = '127.0.0.3';
const METRICS_TOKEN = 'metrics-token-of-the-nginx-test';

const s = suite<{ srv?: TestServer; nginx?: Daemon; cert?: TestCert }>('OPS-1 behind nginx', {});
s.before(async (ctx) => {
  ctx.srv = await startTestServer({ METRICS_TOKEN });
  ctx.cert = makeTestCert([FRONT]);
  const tlsPort = await freePort();
  ctx.nginx = await Nginx.start(
    RECIPE,
    { NOMADES_PORT: new URL(ctx.srv.url).port, PUBLIC_IP: FRONT, TLS_PORT: String(tlsPort), CERT: ctx.cert.certFile, KEY: ctx.cert.keyFile },
    { host: FRONT, port: 443 },
  );
});
s.after(async (ctx) => {
  await ctx.nginx?.close();
  ctx.cert?.remove();
  await ctx.srv?.close();
});

s('plain HTTP to 443 (the stream block relays it from 127.0.0.2): 401; with the key: 200', async () => {
  const refused = await httpGet(`http://${FRONT}:443`, '/metrics');
  assert.is(refused.status, 401);
  assert.is(JSON.parse(refused.body).error.code, 'UNAUTHORIZED');
  const keyed = await httpGet(`http://${FRONT}:443`, '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.is(keyed.status, 200);
  assert.match(keyed.body, /^# HELP /m);
});

s('HTTPS through nginx (X-Forwarded-For): 401; with the key: 200', async (ctx) => {
  const refused = await httpsGet(`https://${FRONT}/metrics`, ctx.cert!.cert);
  assert.is(refused.status, 401);
  assert.is(JSON.parse(refused.body).error.code, 'UNAUTHORIZED');
  const keyed = await httpsGet(`https://${FRONT}/metrics`, ctx.cert!.cert, { authorization: `Bearer ${METRICS_TOKEN}` });
  assert.is(keyed.status, 200);
});

s('the same server still answers a local scraper on 127.0.0.1 without a key', async (ctx) => {
  assert.is((await httpGet(ctx.srv!.url, '/metrics')).status, 200);
});


function httpsGet(url: string, ca: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

s.run();
