import path from 'node:path';
import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { TurnCredentials, type IceServer } from '../../server/src/reach/TurnCredentials.js';
import { Daemon } from '../helpers/Daemon.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { fieldSuite, selectedCandidatePairs, startFieldCall, type FieldSuiteContext } from '../helpers/fieldBrowser.js';
import { makeTestCert, type TestCert } from '../helpers/testCert.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * TURN servers of your own (issue 12, REACH-4): Debian's coturn on the host's veth address, run on
 * docs/operations/turnserver-443.conf as written (TURN over TLS on 443 with a certificate made by
 * the test, plain TURN over TCP on another port); the server has TURN_URLS and TURN_SECRET and no
 * media on its HTTP port. The browser in the namespace may reach only the page's port and one
 * TURN port (UDP to the server blocked): its media is relayed. Expired credentials, and ones
 * signed with another secret, are refused by coturn.
 */
const PLAIN_PORT = 34780;
const SECRET = 'test-turn-secret-of-32-characters!!';
const TEMPLATE = path.resolve(import.meta.dirname, '../../docs/operations/turnserver-443.conf');
let coturn: Daemon | undefined;
let cert: TestCert | undefined;
const urls = (host: string) => [`turns:${host}:443?transport=tcp`, `turn:${host}:${PLAIN_PORT}?transport=tcp`];
const own = fieldSuite(
  'your own coturn',
  (ns) => ({ MEDIA_ON_HTTP_PORT: '0', TURN_URLS: urls(ns.hostAddress).join(','), TURN_SECRET: SECRET }),
  { browserArgs: ['--ignore-certificate-errors'] },
);
own.after(async () => {
  await coturn?.close();
  cert?.remove();
});

async function startCoturn(host: string): Promise<void> {
  cert ??= makeTestCert([host]);
  coturn ??= await Daemon.start({
    name: 'turnserver',
    bin: 'turnserver',
    template: TEMPLATE,
    values: (dir) => ({
      LISTEN_IP: host, PLAIN_PORT: String(PLAIN_PORT), CERT: cert!.certFile, KEY: cert!.keyFile, SECRET, RELAY_IP: host, MEDIA_IP: host,
      LOG_FILE: `${dir}/turnserver.log`, PID_FILE: `${dir}/turnserver.pid`, PUBLIC_NAME: host,
    }),
    args: (conf) => ['-c', conf],
    ready: { host, port: 443 },
  });
}

/** Gathers relay candidates in the page with `server` only (bounded: 8 s); what came and the TURN errors. */
function gather(page: Page, server: IceServer): Promise<{ types: string[]; errors: number[] }> {
  return page.evaluate(`(async () => {
    const pc = new RTCPeerConnection({ iceServers: [${JSON.stringify(server)}], iceTransportPolicy: 'relay' });
    const types = [], errors = [];
    pc.onicecandidateerror = (e) => errors.push(e.errorCode);
    pc.createDataChannel('probe');
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 8000);
      pc.onicecandidate = (e) => { if (e.candidate) types.push(e.candidate.type); else { clearTimeout(timer); resolve(); } };
    });
    pc.close();
    return { types, errors };
  })()`);
}

/** A call where Ada may reach only the page's port and `turnPort`: both play, her media relayed by coturn. */
async function relayedCall(ctx: FieldSuiteContext, title: string, turnPort: number) {
  const ns = ctx.ns!;
  await startCoturn(ns.hostAddress);
  await ns.allowOnlyTcpPorts([Number(new URL(ctx.srv!.url).port), turnPort]);
  const call = await startFieldCall(ctx, title);
  const pairs = await waitFor('Ada has selected candidate pairs', async () => {
    const p = await selectedCandidatePairs(call.ada);
    return p.length >= 2 ? p : null;
  });
  for (const pair of pairs) {
    assert.is(pair.local.candidateType, 'relay', `relayed: ${JSON.stringify(pair)}`);
    assert.is(pair.local.relayProtocol, turnPort === 443 ? 'tls' : 'tcp', `through TURN on ${turnPort}: ${JSON.stringify(pair)}`);
  }
  assert.is(ctx.srv!.server.reachStats.mux.turn, 0, 'not through the server: coturn is its own');
  return call;
}

own('only the page\'s port and TURN over TLS on 443 open: media relayed by coturn, both ways', async (ctx) => {
  const call = await relayedCall(ctx, 'Reach coturn TLS', 443);
  console.log(`[reach] own coturn, TURN/TLS on 443 only (and the page): first frame ${call.firstFrameMs[0]} ms (namespace browser receiving), ${call.firstFrameMs[1]} ms (host browser receiving)`);
});

own('only the page\'s port and plain TURN over TCP open: relayed; expired or foreign credentials refused (401)', async (ctx) => {
  const call = await relayedCall(ctx, 'Reach coturn TCP', PLAIN_PORT);
  console.log(`[reach] own coturn, TURN/TCP only (and the page): first frame ${call.firstFrameMs[0]} ms (namespace browser receiving), ${call.firstFrameMs[1]} ms (host browser receiving)`);
  const plain = [urls(ctx.ns!.hostAddress)[1]!];
  const fresh = new TurnCredentials({ urls: plain, secret: SECRET, ttlSeconds: 600 }).issue('probe');
  const expired = new TurnCredentials({ urls: plain, secret: SECRET, ttlSeconds: 60, now: () => Date.now() - 3_600_000 }).issue('probe');
  const foreign = new TurnCredentials({ urls: plain, secret: 'another-secret-of-32-characters!!!!', ttlSeconds: 600 }).issue('probe');
  const ok = await gather(call.ada, fresh);
  assert.ok(ok.types.includes('relay'), `fresh credentials: a relay candidate (${JSON.stringify(ok)})`);
  for (const [what, server] of [['expired', expired], ['signed with another secret', foreign]] as const) {
    const refused = await gather(call.ada, server);
    assert.not.ok(refused.types.includes('relay'), `${what} credentials: no relay candidate (${JSON.stringify(refused)})`);
    assert.ok(refused.errors.includes(401), `${what} credentials: coturn answered 401 (${JSON.stringify(refused)})`);
  }
});

exitAfterRun(own);
