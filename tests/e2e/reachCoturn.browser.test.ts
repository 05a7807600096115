import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { TurnCredentials, type IceServer } from '../../server/src/reach/TurnCredentials.js';
import { TurnServerProcess } from '../../server/src/reach/TurnServerProcess.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { fieldSuite, selectedCandidatePairs, startFieldCall } from '../helpers/fieldBrowser.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * TURN servers of your own (issue 12, REACH-4): a real coturn (Debian's) on the host's veth
 * address, the server configured with TURN_URLS and TURN_SECRET and no media on its HTTP port.
 * The browser in the namespace may reach only the page's port and the TURN port (UDP to the
 * server blocked): its media is relayed. Credentials past their expiry are refused by coturn.
 */
const TURN_PORT = 34780;
const SECRET = 'test-turn-secret-of-32-characters!!';
let coturn: TurnServerProcess | undefined;
let dir: string | undefined;
const turnUrl = (host: string) => `turn:${host}:${TURN_PORT}?transport=tcp`;
const own = fieldSuite('your own coturn', (ns) => ({ MEDIA_ON_HTTP_PORT: '0', TURN_URLS: turnUrl(ns.hostAddress), TURN_SECRET: SECRET }));
own.after(async () => {
  await coturn?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function startCoturn(host: string): Promise<void> {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-coturn-'));
  coturn ??= await TurnServerProcess.start({ dir, listenIp: host, port: TURN_PORT, secret: SECRET, relayIp: host, allowedPeers: [host] });
}

/** Gathers candidates in the page with `server` (bounded: 8 s); what came and the TURN errors. */
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

own('only the page\'s port and the TURN port open: media relayed by coturn, both ways', async (ctx) => {
  const ns = ctx.ns!;
  await startCoturn(ns.hostAddress);
  await ns.allowOnlyTcpPorts([Number(new URL(ctx.srv!.url).port), TURN_PORT]);
  const call = await startFieldCall(ctx, 'Reach coturn');
  const pairs = await waitFor('Ada has selected candidate pairs', async () => {
    const p = await selectedCandidatePairs(call.ada);
    return p.length >= 2 ? p : null;
  });
  for (const pair of pairs) {
    assert.is(pair.local.candidateType, 'relay', `relayed: ${JSON.stringify(pair)}`);
    assert.is(pair.local.relayProtocol, 'tcp');
  }
  assert.is(ctx.srv!.server.reachStats.mux.turn, 0, 'not through the server: coturn is its own');
  console.log(`[reach] own coturn, only the page's port and TURN/TCP open: first frame ${call.firstFrameMs[0]} ms (namespace browser receiving), ${call.firstFrameMs[1]} ms (host browser receiving)`);

  // Credentials of the coturn scheme: fresh ones give a relay candidate, expired ones none (401).
  const urls = [turnUrl(ns.hostAddress)];
  const fresh = new TurnCredentials({ urls, secret: SECRET, ttlSeconds: 600 }).issue('probe');
  const expired = new TurnCredentials({ urls, secret: SECRET, ttlSeconds: 60, now: () => Date.now() - 3_600_000 }).issue('probe');
  const wrong = new TurnCredentials({ urls, secret: 'another-secret-of-32-characters!!!!', ttlSeconds: 600 }).issue('probe');
  const ok = await gather(call.ada, fresh);
  assert.ok(ok.types.includes('relay'), `fresh credentials: a relay candidate (${JSON.stringify(ok)})`);
  for (const [what, server] of [['expired', expired], ['signed with another secret', wrong]] as const) {
    const refused = await gather(call.ada, server);
    assert.not.ok(refused.types.includes('relay'), `${what} credentials: no relay candidate (${JSON.stringify(refused)})`);
    assert.ok(refused.errors.includes(401), `${what} credentials: coturn answered 401 (${JSON.stringify(refused)})`);
  }
});

exitAfterRun(own);
