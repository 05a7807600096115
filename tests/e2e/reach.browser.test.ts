import * as assert from 'uvu/assert';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { fieldSuite, selectedCandidatePairs, startFieldCall, type FieldSuiteContext } from '../helpers/fieldBrowser.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * Reachability (issue 12, REACH-1/2 in docs/spec/reachability.md): the server listens on one port
 * of the host's veth address; the browser in the namespace sits behind a firewall. Its media must
 * get through whatever the firewall leaves, down to the one port the page itself needs. Time to
 * first frame is printed each way (docs/benchmarks.md). Port 8443: Chromium makes no ICE-TCP
 * connection to a port below 1024 (443 included; measured, REACH-3), so on 443 it takes TURN.
 */
const PORT = 8443;
const reach = fieldSuite('reachability', { PORT: String(PORT) });

async function pairsOfAda(ctx: FieldSuiteContext, page: import('playwright-core').Page) {
  return waitFor('Ada has selected candidate pairs', async () => {
    const p = await selectedCandidatePairs(page);
    return p.length >= 2 ? p : null;
  });
}

reach('open network: UDP to the worker port (the reference time)', async (ctx) => {
  const call = await startFieldCall(ctx, 'Reach open');
  for (const pair of await pairsOfAda(ctx, call.ada)) assert.is(pair.remote.protocol, 'udp', JSON.stringify(pair));
  console.log(`[reach] open network: first frame ${call.firstFrameMs[0]} ms (namespace browser receiving), ${call.firstFrameMs[1]} ms (host browser receiving)`);
});

reach('only TCP to the HTTP port (a locked-down network): media through that port, both ways', async (ctx) => {
  await ctx.ns!.allowOnlyTcpPort(PORT);
  const call = await startFieldCall(ctx, 'Reach 443');
  for (const pair of await pairsOfAda(ctx, call.ada)) {
    assert.is(pair.remote.protocol, 'tcp', `over TCP: ${JSON.stringify(pair)}`);
    assert.is(pair.remote.port, PORT, `to the HTTP port: ${JSON.stringify(pair)}`);
    assert.is(pair.remote.address, ctx.ns!.hostAddress);
  }
  const dropped = await ctx.ns!.droppedPackets();
  assert.ok(dropped.out > 0, `the firewall dropped what it must (UDP, the worker's own ports): ${JSON.stringify(dropped)}`);
  const relay = ctx.srv!.server.reachStats.iceTcp!;
  assert.ok(relay.active >= 2, `Ada's two transports relayed by the HTTP port (${JSON.stringify(relay)})`);
  console.log(`[reach] only TCP to the HTTP port: first frame ${call.firstFrameMs[0]} ms (namespace browser receiving), ${call.firstFrameMs[1]} ms (host browser receiving); ${dropped.out} packets dropped on the way out`);
});

reach('UDP blocked: media over TCP without waiting for an ICE timeout', async (ctx) => {
  await ctx.ns!.dropUdp();
  const call = await startFieldCall(ctx, 'Reach no UDP');
  for (const pair of await pairsOfAda(ctx, call.ada)) assert.is(pair.remote.protocol, 'tcp', JSON.stringify(pair));
  console.log(`[reach] UDP blocked: first frame ${call.firstFrameMs[0]} ms (namespace browser receiving), ${call.firstFrameMs[1]} ms (host browser receiving)`);
});

exitAfterRun(reach);
