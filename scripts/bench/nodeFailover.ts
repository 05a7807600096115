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
 *   npm run bench:failover -- [--trials 10] [--nodes 3]
 */
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ParticipantList } from '@nomades/shared';
import { launchBrowser } from '../../tests/helpers/browser.js';
import { Cluster } from '../../tests/helpers/Cluster.js';
import { sleep, waitFor } from '../../tests/helpers/waitFor.js';
import { machine, percentile } from './lib/procStats.js';
import { stopOnSignal } from './lib/stopOnSignal.js';

const { values: args } = parseArgs({
  options: {
    trials: { type: 'string', default: '10' },
    nodes: { type: 'string', default: '3' },
  },
});
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
    await waitFor(`${s.name}: steady\n${s.logs.slice(-10).join('\n')}`, async () => {
      if ((await s.page.locator('[data-testid="reconnecting"]').count()) > 0) return false;
      if ((await s.page.locator('[data-testid="participant-tile"]').count()) !== 1) return false;
      const frames = () => s.page.evaluate<number>(`(() => { const v = document.querySelector('[data-testid="participant-tile"] video'); return v && v.videoWidth > 0 ? v.getVideoPlaybackQuality().totalVideoFrames : 0; })()`);
      const a = await frames();
      await sleep(300);
      return a > 0 && (await frames()) > a;
    }, timeoutMs, 200);
    ids.push((await selfIdOf(s.page)) ?? '');
  }
  return ids;
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
    const open = async (name: string, role: string, node: number): Promise<Side> => {
      const token = await cluster!.mintToken(roomId, name, role);
      const context = await browser!.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1200, height: 800 } });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      const logs: string[] = [];
      page.on('console', (m) => (m.text().startsWith('meeting session:') || m.type() === 'error') && logs.push(`${Date.now()} ${m.text()}`));
      page.on('pageerror', (e) => logs.push(`${Date.now()} [pageerror] ${e.message}`));
      await page.goto(`${cluster!.url(node)}/room/${roomId}?token=${encodeURIComponent(token)}&autojoin=1`);
      return { name, page, logs };
    };
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
      const trial: Trial = { killed: host, rejoin: [NaN, NaN], playing: [NaN, NaN] };
      const deadline = killedAt + WAIT_MS;
      let watches: Watch[] = [];
      while (Date.now() < deadline) {
        watches = await Promise.all(sides.map((s) => watchOf(s.page)));
        if (watches.every((w) => w.rejoinAt !== null && w.playingAt !== null)) break;
        await sleep(100);
      }
      trial.rejoin = watches.map((w) => (w.rejoinAt === null ? NaN : w.rejoinAt - killedAt)) as [number, number];
      trial.playing = watches.map((w) => (w.playingAt === null ? NaN : w.playingAt - killedAt)) as [number, number];
      const newIds = watches.map((w) => w.selfId);
      if (newIds.every((id) => id)) {
        await sleep(Math.max(0, killedAt + GHOST_CHECK_MS - Date.now()));
        trial.ghostCheckAt = Date.now() - killedAt;
        const listed = await participants(cluster, roomId).catch((e: Error) => (trial.note = e.message, null));
        if (listed) trial.ghosts = listed.filter((id) => !newIds.includes(id)).length;
        trial.newHost = await cluster.hostOf(roomId).catch(() => undefined);
      }
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

  const done = trials.filter((t) => ![...t.rejoin, ...t.playing].some(Number.isNaN));
  console.log(`\n== SIGKILL of the room's node, ${trials.length} trials (${trials.length - done.length} not back within ${WAIT_MS / 1000} s), ms after the kill`);
  console.log(`  rejoin answered (later of the two pages):     ${fmt(done.map((t) => Math.max(...t.rejoin)))}`);
  console.log(`  rejoin answered (each page):                   ${fmt(done.flatMap((t) => t.rejoin))}`);
  console.log(`  both playing each other again (later of two):  ${fmt(done.map((t) => Math.max(...t.playing)))}`);
  console.log(`  playing (each page):                           ${fmt(done.flatMap((t) => t.playing))}`);
  const ghosts = trials.map((t) => t.ghosts).filter((g): g is number => g !== undefined);
  console.log(`  ghosts at the check (≥ ${GHOST_CHECK_MS} ms after the kill): ${ghosts.join(', ')} (max ${Math.max(...ghosts)}; checks at ${fmt(trials.map((t) => t.ghostCheckAt ?? NaN))})`);
  console.log(`  goals: both playing ≤ 5000 ms p95, rejoin ≤ 3000 ms, 0 ghosts`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
