/**
 * Failover benchmark of several nodes (issue #21, NODE-5): a cluster of `--nodes` `npm start`
 * processes on one throw-away PostgreSQL and one redis-server (tests/helpers/Cluster.ts), two
 * headless Chromium pages in a room (the flow of tests/e2e/nodes.browser.test.ts:
 * `/room/:id?token=…&autojoin=1`, both playing each other). Each trial SIGKILLs the room's node
 * (its process group, media worker included) and measures, from the kill:
 *   rejoin  — each page's own peer id changes (`[data-testid="local-tile"]` `data-self-id`): its
 *             join was answered on a live node; the later of the two pages;
 *   playing — each page has frames (getVideoPlaybackQuality) on the tile of the other's new peer
 *             id; the later of the two;
 *   ghosts  — 4 s after the kill (or once both have rejoined, if later), the participants listed
 *             by `GET /api/rooms/:id/participants` asked of a live node, other than the two new ids.
 * The watchers run in the pages (polled every 10 ms, stamped with Date.now(): same machine clock).
 * Then the killed node is started again on its port, both pages are checked steady (one remote
 * tile with advancing frames, no banner), and the next trial kills the room's node again (the
 * same two pages are reused; the room moves at each trial).
 * Bounded: `--trials`, every wait has a deadline, everything is stopped at the end, failures included.
 *
 *   npm run bench:failover -- [--trials 10] [--nodes 3] [--mode kill|cut]
 * `--mode cut`: the room's node is cut off the network instead (see mainCut).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ParticipantList } from '@nomades/shared';
import { launchBrowser } from '../../tests/helpers/browser.js';
import { Cluster } from '../../tests/helpers/Cluster.js';
import { NetNamespace } from '../../tests/helpers/NetNamespace.js';
import { sleep, waitFor } from '../../tests/helpers/waitFor.js';
import { machine, percentile } from './lib/procStats.js';
import { stopOnSignal } from './lib/stopOnSignal.js';
import { pageSteady } from './lib/pageSteady.js';

const { values: args } = parseArgs({
  options: {
    trials: { type: 'string', default: '10' },
    nodes: { type: 'string', default: '3' },
    mode: { type: 'string', default: 'kill' },
  },
});
const MODE = args.mode as 'kill' | 'cut';
const TRIALS = Number(args.trials);
const NODES = Number(args.nodes);
/** Deadline of one recovery. */
const WAIT_MS = 30_000;
const GHOST_CHECK_MS = 4_000;

interface Side {
  name: string;
  page: Page;
  logs: string[];
}

interface Trial {
  killed: number;
  newHost?: number;
  /** ms after the kill, per page (Ada, Grace); NaN: not within WAIT_MS. */
  rejoin: [number, number];
  playing: [number, number];
  ghosts?: number;
  ghostCheckAt?: number;
  note?: string;
}

const selfIdOf = (page: Page) => page.locator('[data-testid="local-tile"]').getAttribute('data-self-id', { timeout: 2_000 }).catch(() => null);

// Page scripts are strings: tsx wraps named callbacks in a `__name` helper the page lacks.
/** Arms a watcher: the time the page's own id leaves `oldSelf`, and the first frame of a remote tile whose peer is not `oldOther`. */
function arm(page: Page, oldSelf: string, oldOther: string): Promise<void> {
  return page.evaluate(`(() => {
    const oldSelf = ${JSON.stringify(oldSelf)}, oldOther = ${JSON.stringify(oldOther)};
    if (window.__nvtFail) clearInterval(window.__nvtFail.timer);
    const w = (window.__nvtFail = { rejoinAt: null, selfId: null, playingAt: null, otherId: null, timer: 0 });
    w.timer = setInterval(() => {
      if (w.rejoinAt === null) {
        const t = document.querySelector('[data-testid="local-tile"]');
        const id = t && t.getAttribute('data-self-id');
        if (id && id !== oldSelf) { w.rejoinAt = Date.now(); w.selfId = id; }
      }
      if (w.playingAt === null) {
        for (const t of document.querySelectorAll('[data-testid="participant-tile"]')) {
          const id = t.getAttribute('data-peer-id');
          const v = t.querySelector('video');
          if (id && id !== oldOther && v && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0) { w.playingAt = Date.now(); w.otherId = id; break; }
        }
      }
      if (w.rejoinAt !== null && w.playingAt !== null) clearInterval(w.timer);
    }, 10);
  })()`);
}

interface Watch {
  rejoinAt: number | null;
  selfId: string | null;
  playingAt: number | null;
  otherId: string | null;
}
const watchOf = (page: Page) => page.evaluate<Watch>('window.__nvtFail');

/** Each page has exactly one remote tile whose frames advance, and no banner; answers the pages' own ids. */
async function steady(sides: Side[], timeoutMs = WAIT_MS): Promise<string[]> {
  const ids: string[] = [];
  for (const s of sides) {
    await waitFor(`${s.name}: steady\n${s.logs.slice(-10).join('\n')}`, () => pageSteady(s.page), timeoutMs, 200);
    ids.push((await selfIdOf(s.page)) ?? '');
  }
  return ids;
}

/** A page of `name` in the room, opened on node `node` (its own context), its session lines and errors kept with their time. */
async function openSide(browser: Browser, contexts: BrowserContext[], cluster: Cluster, roomId: string, name: string, role: string, node: number): Promise<Side> {
  const token = await cluster.mintToken(roomId, name, role);
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1200, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const logs: string[] = [];
  page.on('console', (m) => (m.text().startsWith('meeting session:') || m.type() === 'error') && logs.push(`${Date.now()} ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`${Date.now()} [pageerror] ${e.message}`));
  await page.goto(`${cluster.url(node)}/room/${roomId}?token=${encodeURIComponent(token)}&autojoin=1`);
  return { name, page, logs };
}

/**
 * One trial's figures from the event on (`since`): the pages' rejoin and first frame (their
 * watchers, polled until both are back or WAIT_MS), then the ghosts GHOST_CHECK_MS after it.
 */
async function measure(cluster: Cluster, roomId: string, sides: Side[], since: number, killed: number): Promise<{ trial: Trial; watches: Watch[] }> {
  const trial: Trial = { killed, rejoin: [NaN, NaN], playing: [NaN, NaN] };
  let watches: Watch[] = [];
  while (Date.now() < since + WAIT_MS) {
    watches = await Promise.all(sides.map((s) => watchOf(s.page)));
    if (watches.every((w) => w.rejoinAt !== null && w.playingAt !== null)) break;
    await sleep(100);
  }
  trial.rejoin = watches.map((w) => (w.rejoinAt === null ? NaN : w.rejoinAt - since)) as [number, number];
  trial.playing = watches.map((w) => (w.playingAt === null ? NaN : w.playingAt - since)) as [number, number];
  const newIds = watches.map((w) => w.selfId);
  if (newIds.every((id) => id)) {
    await sleep(Math.max(0, since + GHOST_CHECK_MS - Date.now()));
    trial.ghostCheckAt = Date.now() - since;
    const listed = await participants(cluster, roomId).catch((e: Error) => (trial.note = e.message, null));
    if (listed) trial.ghosts = listed.filter((id) => !newIds.includes(id)).length;
  }
  return { trial, watches };
}

async function participants(cluster: Cluster, roomId: string): Promise<string[]> {
  const res = await cluster.admin('GET', `/api/rooms/${roomId}/participants`);
  if (res.status !== 200) throw new Error(`participants: ${res.status} ${await res.text()}`);
  return ((await res.json()) as ParticipantList).peers.map((p) => p.id);
}

const fmt = (v: number[]) => {
  const ok = v.filter((x) => !Number.isNaN(x));
  return ok.length ? `p50 ${percentile(ok, 50)} ms, p95 ${percentile(ok, 95)} ms (min ${Math.min(...ok)}, max ${Math.max(...ok)}, n ${ok.length})` : 'none';
};

function report(trials: Trial[], what: string, event: string): void {
  const done = trials.filter((t) => ![...t.rejoin, ...t.playing].some(Number.isNaN));
  console.log(`\n== ${what}, ${trials.length} trials (${trials.length - done.length} not back within ${WAIT_MS / 1000} s), ms after the ${event}`);
  console.log(`  rejoin answered (later of the two pages):     ${fmt(done.map((t) => Math.max(...t.rejoin)))}`);
  console.log(`  rejoin answered (each page):                   ${fmt(done.flatMap((t) => t.rejoin))}`);
  console.log(`  both playing each other again (later of two):  ${fmt(done.map((t) => Math.max(...t.playing)))}`);
  console.log(`  playing (each page):                           ${fmt(done.flatMap((t) => t.playing))}`);
  const ghosts = trials.map((t) => t.ghosts).filter((g): g is number => g !== undefined);
  console.log(`  ghosts at the check (≥ ${GHOST_CHECK_MS} ms after the ${event}): ${ghosts.join(', ')} (max ${Math.max(...ghosts)}; checks at ${fmt(trials.map((t) => t.ghostCheckAt ?? NaN))})`);
  console.log(`  goals: both playing ≤ ${event === 'cut' ? 8000 : 5000} ms p95, rejoin ≤ 3000 ms, 0 ghosts`);
}

/** Forwards TCP connections from `host:any port` to 127.0.0.1:`to` (PostgreSQL and Redis listen on loopback only). */
function tcpProxy(host: string, to: number): Promise<net.Server> {
  const server = net.createServer((a) => {
    const b = net.connect(to, '127.0.0.1');
    a.pipe(b).pipe(a);
    a.on('error', () => b.destroy());
    b.on('error', () => a.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
}
const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;

/** The environment of a running process (/proc/<pid>/environ). */
function environOf(pid: number): Record<string, string> {
  return Object.fromEntries(fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

const NS_NODE_ID = 'a-netns'; // sorts before "node…": the directory places a new room there when loads tie

/**
 * `--mode cut`: one more node inside a network namespace (tests/helpers/NetNamespace.ts: host ─
 * router ─ namespace, veth pairs), listening on the namespace's address, reaching PostgreSQL and
 * Redis through TCP forwarders on the host's end of the veth. Each trial: a new room (placed on
 * the namespace's node: fewest rooms, then the smallest id), two new pages opened on node0, both
 * playing; then everything between the namespace and the host is dropped (NetNamespace.cut(): one
 * DROP rule on the router, both ways, silent, as a cut cable seen from afar) and the same figures
 * are taken from the cut. Then restore(); the namespace's node comes back (its heartbeat, roomLost
 * for the moved room) before the next trial.
 */
async function mainCut(): Promise<void> {
  console.log(`node failover benchmark (the room's node cut off the network): ${machine()}`);
  console.log(`  ${NODES} nodes on the host + 1 in a network namespace (npm start from the sources, 1 media worker each, LOG_LEVEL warn, heartbeat 1 s, TTL 3 s), PostgreSQL + redis-server local; 2 headless Chromium pages (fake camera), new ones each trial; ${TRIALS} trials; load average at start ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (!(await NetNamespace.available())) throw new Error('needs ip, tc and iptables-legacy (npm run setup)');
  let cluster: Cluster | undefined;
  let browser: Browser | undefined;
  let ns: NetNamespace | undefined;
  let nsNode: ChildProcess | undefined;
  let nsOutput = '';
  const proxies: net.Server[] = [];
  let contexts: BrowserContext[] = [];
  const trials: Trial[] = [];
  const cleanup = async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close().catch(() => undefined);
    if (nsNode?.pid) {
      try {
        process.kill(-nsNode.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const p of proxies) p.close();
    await cluster?.close();
    await ns?.close();
  };
  stopOnSignal(cleanup);
  try {
    cluster = await Cluster.start(NODES);
    ns = await NetNamespace.create();
    const env0 = environOf(cluster.nodes[0]!.pid);
    const pgUrl = new URL(env0.DATABASE_URL!);
    const redisUrl = new URL(env0.REDIS_URL!);
    const pgProxy = await tcpProxy(ns.hostAddress, Number(pgUrl.port));
    const redisProxy = await tcpProxy(ns.hostAddress, Number(redisUrl.port));
    proxies.push(pgProxy, redisProxy);
    pgUrl.hostname = redisUrl.hostname = ns.hostAddress;
    pgUrl.port = String(portOf(pgProxy));
    redisUrl.port = String(portOf(redisProxy));
    const nsPort = 3100;
    const nsUrl = `http://${ns.namespaceAddress}:${nsPort}`;
    const dataDir = fs.mkdtempSync(path.join(cluster.root, 'netns-node-'));
    const productVars = ['PORT', 'HOST', 'PUBLIC_URL', 'DATA_DIR', 'ADMIN_KEY', 'TOKEN_SECRET', 'GUEST_ACCESS', 'REDIS_URL', 'RECORDER', 'DATABASE_URL', 'NODE_URL', 'NODE_ID'];
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !productVars.includes(k)));
    nsNode = spawn('ip', ['netns', 'exec', ns.name, process.execPath, '--import', 'tsx', path.resolve(import.meta.dirname, '../../server/src/main.ts')], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: {
        ...base,
        HOST: ns.namespaceAddress, PORT: String(nsPort), NODE_URL: nsUrl, NODE_ID: NS_NODE_ID, DATA_DIR: dataDir,
        MEDIA_WORKERS: '1', RTC_PORT: '0', LOG_LEVEL: 'warn', RECORDER: 'off',
        DATABASE_URL: pgUrl.toString(), REDIS_URL: redisUrl.toString(), ADMIN_KEY: env0.ADMIN_KEY!, TOKEN_SECRET: env0.TOKEN_SECRET!,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    nsNode.stdout!.on('data', (d) => (nsOutput += String(d)));
    nsNode.stderr!.on('data', (d) => (nsOutput += String(d)));
    await waitFor(`the namespace's node answers /healthz\n${nsOutput}`, async () => {
      if (nsNode!.exitCode !== null) throw new Error(`the namespace's node exited: ${nsOutput}`);
      return (await fetch(`${nsUrl}/healthz`).catch(() => undefined))?.status === 200;
    }, 60_000, 300);
    browser = await launchBrowser();
    const nsHosts = async (roomId: string) => (await cluster!.directory()).nodes.find((n) => n.rooms.includes(roomId))?.id;

    for (let k = 0; k < TRIALS; k++) {
      await waitFor('the namespace\'s node alive, hosting nothing', async () => {
        const n = (await cluster!.directory()).nodes.find((x) => x.id === NS_NODE_ID);
        return n !== undefined && n.rooms.length === 0;
      }, WAIT_MS, 200);
      try {
        const { id: roomId } = await cluster.createRoom({ name: `Cut bench ${k}` });
        const open = (name: string, role: string) => openSide(browser!, contexts, cluster!, roomId, name, role, 0);
        const ada = await open('Ada', 'host');
        await waitFor('Ada joined', () => selfIdOf(ada.page), WAIT_MS, 100);
        const grace = await open('Grace', 'participant');
        const sides = [ada, grace];
        const [adaId, graceId] = (await steady(sides)) as [string, string];
        const home = await nsHosts(roomId);
        if (home !== NS_NODE_ID) {
          console.log(`  [${k + 1}/${TRIALS}] the room went to ${home}, not the namespace's node: trial skipped`);
        } else {
          await Promise.all([arm(ada.page, adaId, graceId), arm(grace.page, graceId, adaId)]);
          const cutAt = Date.now();
          await ns.cut();
          const { trial } = await measure(cluster, roomId, sides, cutAt, -1);
          const newHome = await nsHosts(roomId);
          if ([...trial.rejoin, ...trial.playing].some(Number.isNaN)) {
            trial.note = `${trial.note ?? ''} NOT BACK within ${WAIT_MS / 1000} s: ${sides.map((s) => `${s.name}: ${s.logs.slice(-6).join(' | ')}`).join(' ;; ')}`;
          }
          trials.push(trial);
          console.log(`  [${k + 1}/${TRIALS}] ${NS_NODE_ID} cut → ${newHome ?? '?'}: rejoin ${trial.rejoin.join(' / ')} ms, playing ${trial.playing.join(' / ')} ms (Ada / Grace), ghosts ${trial.ghosts ?? '?'} at ${trial.ghostCheckAt ?? '?'} ms${trial.note ? `; ${trial.note}` : ''}`);
          // What the page's meeting session said after the cut (ms after it): where the time went.
          for (const side of sides) {
            const lines = side.logs.map((l) => [Number(l.slice(0, l.indexOf(' '))), l.slice(l.indexOf(' ') + 1)] as const).filter(([t]) => t >= cutAt);
            console.log(`      ${side.name}: ${lines.slice(0, 8).map(([t, text]) => `+${t - cutAt} ${text.slice(0, 140)}`).join(' | ')}`);
          }
          await ns.restore();
          // The namespace's node serving again, PostgreSQL included (its connections went through the cut).
          const restoredAt = Date.now();
          await waitFor('the namespace\'s node reads PostgreSQL again', async () => {
            const res = await fetch(`${nsUrl}/api/rooms/${roomId}`, { headers: { authorization: `Bearer ${env0.ADMIN_KEY}` }, signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
            return res?.status === 200;
          }, 90_000, 500).then(
            () => console.log(`      the namespace's node answered a room read (PostgreSQL) ${Date.now() - restoredAt} ms after the restore`),
            () => console.log('      the namespace\'s node did NOT answer a room read within 90 s of the restore'),
          );
        }
      } catch (error) {
        console.log(`  [${k + 1}/${TRIALS}] trial failed before or after the cut, left out: ${(error as Error).message.split('\n')[0]}`);
        await ns.restore();
      }
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      contexts = [];
      await sleep(1_000);
    }
  } catch (error) {
    console.error(`--- namespace node output ---\n${nsOutput.slice(-3000)}`);
    throw error;
  } finally {
    await cleanup();
  }
  report(trials, 'the room\'s node cut off the network (router DROP both ways)', 'cut');
}

async function main(): Promise<void> {
  console.log(`node failover benchmark (SIGKILL of the room's node): ${machine()}`);
  console.log(`  ${NODES} nodes (npm start from the sources, 1 media worker each, LOG_LEVEL warn, heartbeat 1 s, TTL 3 s), PostgreSQL + redis-server local; 2 headless Chromium pages (fake camera); ${TRIALS} trials; load average at start ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  let cluster: Cluster | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const trials: Trial[] = [];
  const cleanup = async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close().catch(() => undefined);
    await cluster?.close();
  };
  stopOnSignal(cleanup);
  try {
    cluster = await Cluster.start(NODES);
    browser = await launchBrowser();
    const { id: roomId } = await cluster.createRoom({ name: 'Failover bench' });
    const open = (name: string, role: string, node: number) => openSide(browser!, contexts, cluster!, roomId, name, role, node);
    const ada = await open('Ada', 'host', 0);
    await waitFor('Ada joined', () => selfIdOf(ada.page), WAIT_MS, 100);
    const grace = await open('Grace', 'participant', 1 % NODES);
    const sides = [ada, grace];
    let ids = await steady(sides);

    for (let k = 0; k < TRIALS; k++) {
      const host = await cluster.hostOf(roomId);
      const [adaId, graceId] = ids as [string, string];
      await Promise.all([arm(ada.page, adaId, graceId), arm(grace.page, graceId, adaId)]);
      const killedAt = Date.now();
      await cluster.kill(host);
      const { trial, watches } = await measure(cluster, roomId, sides, killedAt, host);
      const newIds = watches.map((w) => w.selfId);
      if (newIds.every((id) => id)) trial.newHost = await cluster.hostOf(roomId).catch(() => undefined);
      if ([...trial.rejoin, ...trial.playing].some(Number.isNaN)) {
        trial.note = `${trial.note ?? ''} NOT BACK within ${WAIT_MS / 1000} s: ${sides.map((s) => `${s.name}: ${s.logs.slice(-6).join(' | ')}`).join(' ;; ')}`;
      }
      trials.push(trial);
      console.log(`  [${k + 1}/${TRIALS}] node${trial.killed} killed → node${trial.newHost ?? '?'}: rejoin ${trial.rejoin.join(' / ')} ms, playing ${trial.playing.join(' / ')} ms (Ada / Grace), ghosts ${trial.ghosts ?? '?'} at ${trial.ghostCheckAt ?? '?'} ms${trial.note ? `; ${trial.note}` : ''}`);
      // The killed node comes back (same port, same DATA_DIR); the pages settle before the next kill.
      await cluster.startNode(host);
      try {
        ids = await steady(sides);
      } catch (error) {
        console.log(`  pages not steady after trial ${k + 1}: ${(error as Error).message.split('\n')[0]}; reloading them`);
        await Promise.all(sides.map((s) => s.page.reload()));
        ids = await steady(sides, 2 * WAIT_MS);
      }
      await sleep(1_000); // the restarted node's start-up CPU settles
    }
  } finally {
    await cleanup();
  }

  report(trials, 'SIGKILL of the room\'s node', 'kill');
}

(MODE === 'cut' ? mainCut() : main()).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
