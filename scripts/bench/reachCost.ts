/**
 * What the firewall paths cost (issue 12): CPU of the server process (Node: the ICE-TCP relay,
 * the TURN pipe), of the mediasoup worker and of the embedded coturn, per media stream, for
 *   udp    — the open network: UDP to the worker (the reference);
 *   tcp    — only TCP to the HTTP port (8443): ICE-TCP relayed by the Node process (REACH-1/2);
 *   turn   — only TCP to 443, server on 443: TURN over TCP through the Node pipe to coturn,
 *            relayed to the worker's UDP port (REACH-5).
 * Two headless Chromium (Ada in a network namespace behind the firewall, Grace on the host), both
 * sending camera (simulcast, 3 layers) and microphone, both receiving: 4 streams cross the path
 * (Ada's 2 up, Grace's 2 down). After `--warmup` s of call, `--seconds` s sampled from /proc
 * and process.cpuUsage (this process is the server; it is idle otherwise). Bitrate from Ada's
 * getStats (bytes sent + received on her transports). Bounded: every wait has a deadline.
 *
 *   flock /tmp/team/test.lock npx tsx scripts/bench/reachCost.ts [--seconds 20] [--warmup 5] [--paths udp,tcp,turn]
 */
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertVideoPlaying, selfId } from '../../tests/helpers/browser.js';
import { launchFieldBrowser, openFieldPage, tileVideo } from '../../tests/helpers/fieldBrowser.js';
import { NetNamespace } from '../../tests/helpers/NetNamespace.js';
import { startTestServer } from '../../tests/helpers/testServer.js';
import { sleep } from '../../tests/helpers/waitFor.js';
import { childPids, cpuShare, machine, sampleProcess } from './lib/procStats.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    paths: { type: 'string', default: 'udp,tcp,turn' },
  },
});
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const STREAMS = 4;

type Path = 'udp' | 'tcp' | 'turn';
const PORTS: Record<Path, number> = { udp: 8443, tcp: 8443, turn: 443 };

/** Bytes Ada's transports sent and received so far. */
const adaBytes = (page: Page): Promise<number> =>
  page.evaluate(`(async () => {
    let n = 0;
    for (const pc of window.__nvtPcs ?? []) for (const s of (await pc.getStats()).values()) if (s.type === 'transport') n += (s.bytesSent ?? 0) + (s.bytesReceived ?? 0);
    return n;
  })()`);

async function measure(path: Path, ns: NetNamespace, inside: Browser, outside: Browser) {
  const srv = await startTestServer({ HOST: ns.hostAddress, PORT: String(PORTS[path]) });
  const contexts: BrowserContext[] = [];
  try {
    if (path === 'tcp' || path === 'turn') await ns.allowOnlyTcpPort(PORTS[path]);
    const { id: roomId } = await srv.createRoom({ name: `cost ${path}` });
    const logs: string[] = [];
    const open = async (b: Browser, name: string) => openFieldPage(b, contexts, `${srv.url}/room/${roomId}?token=${encodeURIComponent(await srv.mintToken(roomId, name))}&autojoin=1`, logs, name);
    const ada = await open(inside, 'Ada');
    const grace = await open(outside, 'Grace');
    const [adaId, graceId] = await Promise.all([selfId(ada), selfId(grace)]);
    await Promise.all([assertVideoPlaying(ada, tileVideo(graceId), 'Ada sees Grace', logs), assertVideoPlaying(grace, tileVideo(adaId), 'Grace sees Ada', logs)]);
    await sleep(WARMUP * 1000);
    const pids = childPids(process.pid);
    // /proc truncates names to 15 characters (mediasoup-worke).
    const named = (name: string) => pids.map(sampleProcess).filter((p) => p && name.startsWith(p.name));
    const workers0 = named('mediasoup-worker');
    const turn0 = named('turnserver');
    const node0 = process.cpuUsage();
    const bytes0 = await adaBytes(ada);
    const t0 = Date.now();
    await sleep(SECONDS * 1000);
    const seconds = (Date.now() - t0) / 1000;
    const node = (() => {
      const d = process.cpuUsage(node0);
      return (d.user + d.system) / 1e6 / seconds;
    })();
    const share = (before: typeof workers0) => before.reduce((sum, b) => sum + cpuShare(b, sampleProcess(b!.pid), seconds), 0);
    const worker = share(workers0);
    const turn = share(turn0);
    const mbps = ((await adaBytes(ada)) - bytes0) * 8 / seconds / 1e6;
    const stats = srv.server.reachStats;
    return { path, node, worker, turn, mbps, relays: stats.iceTcp?.active ?? 0, turnConnections: stats.mux.turn };
  } finally {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await srv.close();
    await ns.clearFirewall();
  }
}

const ns = await NetNamespace.create();
const results: Awaited<ReturnType<typeof measure>>[] = [];
try {
  const inside = await launchFieldBrowser({ netns: ns, secureOrigins: Object.values(PORTS).map((p) => `http://${ns.hostAddress}:${p}`) });
  const outside = await launchFieldBrowser({ secureOrigins: Object.values(PORTS).map((p) => `http://${ns.hostAddress}:${p}`) });
  try {
    for (const path of args.paths!.split(',') as Path[]) {
      const r = await measure(path, ns, inside, outside);
      results.push(r);
      console.log(`[reach-cost] ${r.path}: Node ${(r.node * 100).toFixed(1)} %, worker ${(r.worker * 100).toFixed(1)} %, coturn ${(r.turn * 100).toFixed(1)} % of a core; Ada's media ${r.mbps.toFixed(2)} Mbit/s; relays ${r.relays}, TURN connections ${r.turnConnections}`);
    }
  } finally {
    await inside.close().catch(() => undefined);
    await outside.close().catch(() => undefined);
  }
} finally {
  await ns.close();
}
const base = results.find((r) => r.path === 'udp');
console.log(`\n${machine()}; ${SECONDS} s sampled after ${WARMUP} s, ${STREAMS} streams across the path (2 up, 2 down)`);
console.log('| path | Node % | worker % | coturn % | Mbit/s | extra CPU per stream vs UDP (% of a core) |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const total = r.node + r.worker + r.turn;
  const extra = base ? ((total - (base.node + base.worker + base.turn)) / STREAMS) * 100 : NaN;
  console.log(`| ${r.path} | ${(r.node * 100).toFixed(1)} | ${(r.worker * 100).toFixed(1)} | ${(r.turn * 100).toFixed(1)} | ${r.mbps.toFixed(2)} | ${r.path === 'udp' ? '—' : extra.toFixed(2)} |`);
}
process.exit(0);
