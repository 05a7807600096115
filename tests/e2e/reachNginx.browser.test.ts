import path from 'node:path';
import * as assert from 'uvu/assert';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { fieldSuite, selectedCandidatePairs, startFieldCall } from '../helpers/fieldBrowser.js';
import type { Daemon } from '../helpers/Daemon.js';
import { Nginx } from '../helpers/Nginx.js';
import { makeTestCert, type TestCert } from '../helpers/testCert.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * The reverse-proxy recipe (issue 12): docs/operations/nginx-443.conf, run as written, with
 * Debian's nginx on 443 of the host's veth address, TLS ending in nginx with a certificate made
 * by the test, the server behind it on loopback (announcing 443). The browser in the namespace
 * may reach only TCP 443: page, socket.io and board through nginx's HTTPS, media through the
 * stream pass-through to the server's shared port and its embedded TURN.
 */
const RECIPE = path.resolve(import.meta.dirname, '../../docs/operations/nginx-443.conf');
let cert: TestCert | undefined;
let nginx: Daemon | undefined;
const proxied = fieldSuite(
  'behind nginx on 443',
  (ns) => ({ HOST: '127.0.0.1', RTC_LISTEN_IP: ns.hostAddress, ANNOUNCED_IP: ns.hostAddress, ANNOUNCED_PORT: '443' }),
  { browserArgs: ['--ignore-certificate-errors'] },
);
proxied.after(async () => {
  await nginx?.close();
  cert?.remove();
});

proxied('only TCP to 443 through nginx: HTTPS, WebSockets and media both ways', async (ctx) => {
  const ns = ctx.ns!;
  cert = makeTestCert([ns.hostAddress]);
  const port = new URL(ctx.srv!.url).port;
  nginx = await Nginx.start(RECIPE, { NOMADES_PORT: port, PUBLIC_IP: ns.hostAddress, TLS_PORT: '18443', CERT: cert.certFile, KEY: cert.keyFile }, { host: ns.hostAddress, port: 443 });
  await ns.allowOnlyTcpPort(443);
  const call = await startFieldCall(ctx, 'Reach nginx', `https://${ns.hostAddress}`);
  assert.match(call.ada.url(), new RegExp(`^https://${ns.hostAddress.replaceAll('.', '\\.')}/`), 'the page came through nginx');
  const pairs = await waitFor('Ada has selected candidate pairs', async () => {
    const p = await selectedCandidatePairs(call.ada);
    return p.length >= 2 ? p : null;
  });
  for (const pair of pairs) assert.is(pair.local.candidateType, 'relay', `relayed: ${JSON.stringify(pair)}`);
  const mux = ctx.srv!.server.reachStats.mux;
  assert.ok(mux.turn >= 1, `TURN passed through nginx's stream block to the shared port (${JSON.stringify(mux)})`);
  assert.is(mux.tls, 0, 'TLS ended in nginx');
  console.log(`[reach] behind nginx, only TCP 443: first frame ${call.firstFrameMs[0]} ms (namespace browser receiving), ${call.firstFrameMs[1]} ms (host browser receiving); mux ${JSON.stringify(mux)}`);
});

exitAfterRun(proxied);
