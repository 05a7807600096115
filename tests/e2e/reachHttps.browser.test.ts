import * as assert from 'uvu/assert';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { fieldSuite, selectedCandidatePairs, startFieldCall } from '../helpers/fieldBrowser.js';
import { makeTestCert, type TestCert } from '../helpers/testCert.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * The production shape on one port (issue 12, REACH-1/5/6): the server on 443 with its own
 * certificate (made by openssl for the host's veth address), the browser behind a firewall that
 * lets out only TCP to 443. The page, socket.io and the board over TLS, the media over TURN, all
 * on that one port. Chromium is told to accept the test certificate (--ignore-certificate-errors).
 */
let cert: TestCert | undefined;
const secure = fieldSuite(
  'HTTPS and media on port 443',
  (ns) => {
    cert = makeTestCert([ns.hostAddress]);
    // Plain HTTP stays answered (no redirect) only so that the test's admin calls need no trust store.
    return { PORT: '443', TLS_CERT: cert.certFile, TLS_KEY: cert.keyFile, HTTPS_REDIRECT: '0' };
  },
  { browserArgs: ['--ignore-certificate-errors'] },
);
secure.after(() => cert?.remove());

secure('only TCP to 443: the page over HTTPS and the media over TURN, on the same port, both ways', async (ctx) => {
  assert.match(ctx.srv!.url, /^https:\/\//);
  await ctx.ns!.allowOnlyTcpPort(443);
  const call = await startFieldCall(ctx, 'Reach HTTPS 443');
  assert.match(call.ada.url(), /^https:\/\//, 'the page came over HTTPS');
  const pairs = await waitFor('Ada has selected candidate pairs', async () => {
    const p = await selectedCandidatePairs(call.ada);
    return p.length >= 2 ? p : null;
  });
  for (const pair of pairs) assert.is(pair.local.candidateType, 'relay', JSON.stringify(pair));
  const mux = ctx.srv!.server.reachStats.mux;
  assert.ok(mux.tls >= 2 && mux.turn >= 1, `TLS and TURN through the one port (${JSON.stringify(mux)})`);
  console.log(`[reach] HTTPS + TURN on 443 only: first frame ${call.firstFrameMs[0]} ms (namespace browser receiving), ${call.firstFrameMs[1]} ms (host browser receiving); mux ${JSON.stringify(mux)}`);
});

exitAfterRun(secure);
