import * as assert from 'uvu/assert';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { fieldSuite, selectedCandidatePairs, startFieldCall } from '../helpers/fieldBrowser.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * A network that lets out only TCP to port 443 (hotels, partner offices; issue 12, REACH-3/5 in
 * docs/spec/reachability.md), with the embedded defaults on port 443: Chromium makes no ICE-TCP
 * connection to a port below 1024, so the server (TURN=auto) runs a coturn of its own behind the
 * HTTP port, hands TURN credentials in the join answer, and the browser relays its media through
 * it over that one TCP connection. Time to first frame is printed each way (docs/benchmarks.md).
 */
const turn = fieldSuite('TURN on the HTTP port', { PORT: '443' });

turn('only TCP to port 443: media through TURN over TCP on the HTTP port, both ways', async (ctx) => {
  await ctx.ns!.allowOnlyTcpPort(443);
  const call = await startFieldCall(ctx, 'Reach TURN 443');
  const pairs = await waitFor('Ada has selected candidate pairs', async () => {
    const p = await selectedCandidatePairs(call.ada);
    return p.length >= 2 ? p : null;
  });
  for (const pair of pairs) {
    assert.is(pair.local.candidateType, 'relay', `Ada's media is relayed: ${JSON.stringify(pair)}`);
    assert.is(pair.local.relayProtocol, 'tcp', `to the relay over TCP: ${JSON.stringify(pair)}`);
  }
  const stats = ctx.srv!.server.reachStats.mux;
  assert.ok(stats.turn >= 1, `TURN connections came through the HTTP port (${JSON.stringify(stats)})`);
  const dropped = await ctx.ns!.droppedPackets();
  assert.ok(dropped.out > 0, `the firewall dropped the rest (${JSON.stringify(dropped)})`);
  console.log(`[reach] only TCP 443, TURN on the HTTP port: first frame ${call.firstFrameMs[0]} ms (namespace browser receiving), ${call.firstFrameMs[1]} ms (host browser receiving); mux ${JSON.stringify(stats)}`);
});

turn('the join answer carries short-lived TURN credentials of the coturn scheme', async (ctx) => {
  const call = await startFieldCall(ctx, 'Reach TURN creds');
  // The transports' connections (the Device's capability probe has no iceServers).
  const servers = (await call.ada.evaluate(`window.__nvtPcs.map((pc) => pc.getConfiguration().iceServers ?? []).filter((s) => s.length)`)) as Array<Array<{ urls: string[]; username: string }>>;
  assert.ok(servers.length >= 2, `both transports were given TURN (${JSON.stringify(servers)})`);
  const [server] = servers[0]!;
  assert.equal(server!.urls, [`turn:${ctx.ns!.hostAddress}:443?transport=tcp`]);
  const expiry = Number(server!.username.split(':')[0]);
  assert.ok(expiry > Date.now() / 1000 && expiry < Date.now() / 1000 + 13 * 3600, `expires within TURN_TTL_S (12 h): ${server!.username}`);
});

exitAfterRun(turn);
