import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeTestCert, type TestCert } from '../helpers/testCert.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * HTTPS on the server's own port (REACH-6 in docs/spec/reachability.md): TLS and plain HTTP on the
 * same listener, plain requests redirected, the certificate reloaded when its files change and a
 * broken renewal refused without losing the working one. Real TLS, a certificate made by openssl.
 */
const t = suite<{ cert?: TestCert; srv?: TestServer; port: number }>('tls on the HTTP port', { port: 0 });

t.before(async (ctx) => {
  ctx.cert = makeTestCert(['127.0.0.1'], 'first');
  ctx.srv = await startTestServer({ TLS_CERT: ctx.cert.certFile, TLS_KEY: ctx.cert.keyFile });
  ctx.port = Number(new URL(ctx.srv.url).port);
});
t.after(async (ctx) => {
  await ctx.srv?.close();
  ctx.cert?.remove();
});

function get(url: string, ca?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    const req = lib.get(url, { ca, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

/** The SHA-256 fingerprint of the certificate the port serves now. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: undefined }, () => {
      const fp = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
      socket.destroy();
      resolve(fp);
    });
    socket.on('error', reject);
  });
}

t('HTTPS with the configured certificate; the URL the server gives is https', async (ctx) => {
  assert.match(ctx.srv!.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const res = await get(`${ctx.srv!.url}/healthz`, ctx.cert!.cert);
  assert.is(res.status, 200);
  assert.is(JSON.parse(res.body).status, 'ok');
  assert.match(String(res.headers['strict-transport-security']), /max-age=/, 'HSTS over HTTPS');
  // A TLS client that does not trust it is refused by its own check: the certificate is the configured one.
  await get(`${ctx.srv!.url}/healthz`).then(
    () => assert.unreachable('an untrusted certificate must fail the client check'),
    (e: Error) => assert.match(e.message, /self.signed|unable to verify/i),
  );
});

t('plain HTTP on the same port: redirected to https (308, same path), except /healthz', async (ctx) => {
  const plain = `http://127.0.0.1:${ctx.port}`;
  const res = await get(`${plain}/room/abc?x=1`);
  assert.is(res.status, 308);
  assert.is(res.headers.location, `https://127.0.0.1:${ctx.port}/room/abc?x=1`);
  const api = await get(`${plain}/api/rooms`);
  assert.is(api.status, 308, 'the API too');
  assert.is((await get(`${plain}/healthz`)).status, 200, 'probes keep plain /healthz');
});

t('a renewed certificate is served without a restart; a broken renewal is refused and the working one kept', async (ctx) => {
  const before = await servedFingerprint(ctx.port);
  assert.is(before, ctx.srv!.server.tls!.fingerprint);
  const renewed = makeTestCert(['127.0.0.1'], 'renewed', ctx.cert!);
  await waitFor('the renewed certificate is served', async () => (await servedFingerprint(ctx.port)) !== before, 10_000, 100);
  const now = await servedFingerprint(ctx.port);
  assert.is(now, ctx.srv!.server.tls!.fingerprint);
  assert.is((await get(`${ctx.srv!.url}/healthz`, renewed.cert)).status, 200, 'clients trusting the new one connect');
  // A broken renewal: garbage where the certificate was.
  const reloads = ctx.srv!.server.tls!.reloads;
  fs.writeFileSync(ctx.cert!.certFile, 'not a certificate\n');
  await waitFor('the failed reload is reported in /healthz', async () => {
    const health = JSON.parse((await get(`${ctx.srv!.url}/healthz`, renewed.cert)).body);
    return health.status === 'degraded' && health.faults?.['tls.reload'] ? health : null;
  }, 10_000, 100);
  assert.is(await servedFingerprint(ctx.port), now, 'the working certificate is still served');
  assert.is(ctx.srv!.server.tls!.reloads, reloads);
});

t('a key that is not the certificate\'s: the server does not start, and says why', async () => {
  const a = makeTestCert(['127.0.0.1'], 'a');
  const b = makeTestCert(['127.0.0.1'], 'b');
  try {
    await startTestServer({ TLS_CERT: a.certFile, TLS_KEY: b.keyFile }).then(
      async (srv) => {
        await srv.close();
        assert.unreachable('started with a mismatched key');
      },
      (e: Error) => assert.match(e.message, /do not make a usable pair: the key is not the certificate's/),
    );
  } finally {
    a.remove();
    b.remove();
  }
});

t.run();
