/**
 * Recovery benchmark (issue 11): time to the first remote video frame, both directions, after
 *   worker  — SIGKILL of the room's mediasoup worker (the server replaces it, both pages rejoin);
 *             at most 3 kills per 60 s, as the pool gives a slot up after that (crash-loop guard);
 *   short   — a network cut of the namespace (`--short-cut` ms, everything dropped), then restore;
 *   restart — the server stopped as on SIGTERM (`close()`) and started again on the same port and
 *             DATA_DIR (measured from the new server listening; the stop and the time down are printed);
 *   long    — a cut past the grace period: held until the server has let the cut participant go
 *             (heartbeats ≤ 10 s + RESUME_GRACE_MS, `--long-grace` ms here so that the trials stay
 *             short; the client's backoff is at its 5 s cap by then, as after any long outage),
 *             then 1 to 11 s more (random: the restore lands anywhere in the client's attempt
 *             cycle), then restore: resume refused, a full rejoin.
 * Two headless Chromium (tests/helpers/fieldBrowser.ts): Ada inside a network namespace behind a
 * router namespace (tests/helpers/NetNamespace.ts), Grace on the host, one real server (one media
 * worker) on the host's veth address. A frame is counted in the page (getVideoPlaybackQuality,
 * polled every 10 ms): after a kill or a restart, the first frame of a new tile or track (a rejoin);
 * after a cut, the first frame past the count at the restore (or of a new track). Phases: when the page's meeting session logs
 * "resumed"/"rejoined" (signaling back), then the first frame (ICE, DTLS, a key frame).
 * Bounded: every wait has a deadline, `--trials` per case.
 *
 *   flock /tmp/team/test.lock npx tsx scripts/bench/recovery.ts [--trials 10] [--cases worker,short,restart,long]
 *     [--short-cut 5000] [--long-grace 3000]
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { RESUME_LIMITS } from '@nomades/shared';
import { launchFieldBrowser, openFieldPage } from '../../tests/helpers/fieldBrowser.js';
import { NetNamespace } from '../../tests/helpers/NetNamespace.js';
import { startTestServer, type TestServer } from '../../tests/helpers/testServer.js';
import { sleep, waitFor } from '../../tests/helpers/waitFor.js';
import { machine, percentile } from './lib/procStats.js';
import { pageSteady } from './lib/pageSteady.js';

const { values: args } = parseArgs({
  options: {
    trials: { type: 'string', default: '10' },
    cases: { type: 'string', default: 'worker,short,restart,long' },
    'short-cut': { type: 'string', default: '5000' },
    'long-grace': { type: 'string', default: '3000' },
  },
});
const TRIALS = Number(args.trials);
const CASES = args.cases!.split(',');
const SHORT_CUT_MS = Number(args['short-cut']);
const LONG_GRACE_MS = Number(args['long-grace']);
/** Deadline of any one wait (a recovery, a steady call). */
const WAIT_MS = 60_000;

/** `new`: a new peer or a new track with frames (armed before the event); `any`: that, or more frames of the same track (armed once nothing flows). */
type Mode = 'new' | 'any';

interface Side {
  name: string;
  page: Page;
  /** Node time of each "meeting session: …" line. */
  session: Array<{ at: number; text: string }>;
}

interface Trial {
  /** First remote frame, ms after t0: Ada (namespace) receiving, Grace (host) receiving. */
  media: [number, number];
  /** The session's "resumed"/"rejoined" line, ms after t0 (Ada, Grace; -1 when none). */
  signaling: [number, number];
  note?: string;
}

// Page scripts are strings: tsx wraps named callbacks in a `__name` helper the page lacks.
/** Arms a watcher in the page: records (page clock, same machine) the first frame of the remote tile after now. */
function arm(page: Page, mode: Mode): Promise<void> {
  return page.evaluate(`(() => {
    const mode = ${JSON.stringify(mode)};
    if (window.__nvtWatch) clearInterval(window.__nvtWatch.timer);
    const tiles = () =>
      [...document.querySelectorAll('[data-testid="participant-tile"]')].map((t) => {
        const v = t.querySelector('video');
        const track = v && v.srcObject && v.srcObject.getVideoTracks()[0];
        return {
          key: t.getAttribute('data-peer-id') + '/' + (track ? track.id : ''),
          frames: v && v.videoWidth > 0 ? v.getVideoPlaybackQuality().totalVideoFrames : 0,
        };
      });
    const base = new Map(tiles().map((t) => [t.key, t.frames]));
    const w = (window.__nvtWatch = { at: null, timer: 0 });
    w.timer = setInterval(() => {
      const hit = tiles().some((t) => t.frames > 0 && (!base.has(t.key) || (mode === 'any' && t.frames > base.get(t.key))));
      if (hit) {
        w.at = Date.now();
        clearInterval(w.timer);
      }
    }, 10);
  })()`);
}

async function firstFrameAt(page: Page, what: string): Promise<number> {
  return waitFor(`${what}: first frame`, () => page.evaluate<number | null>('window.__nvtWatch && window.__nvtWatch.at'), WAIT_MS, 50);
}

/** Each page has one remote tile whose frames advance, and no banner. */
async function steady(sides: Side[]): Promise<void> {
  for (const s of sides) {
    await waitFor(`${s.name}: steady`, () => pageSteady(s.page), WAIT_MS, 200);
  }
}

/** What a page shows, for a trial that did not recover: its tiles and its session's lines since `mark`. */
async function diagnose(side: Side, mark: number): Promise<string> {
  const tiles = await side.page.evaluate<string>(`JSON.stringify([...document.querySelectorAll('[data-testid="participant-tile"]')].map((t) => {
    const v = t.querySelector('video');
    return { id: t.getAttribute('data-peer-id'), reconnecting: t.getAttribute('data-reconnecting'), width: v ? v.videoWidth : null, frames: v && v.videoWidth > 0 ? v.getVideoPlaybackQuality().totalVideoFrames : null };
  }))`);
  const self = await side.page.locator('[data-testid="local-tile"]').getAttribute('data-self-id').catch(() => null);
  const banner = await side.page.locator('[data-testid="reconnecting"]').count();
  return `${side.name}: self ${self}, banner ${banner}, tiles ${tiles}, session: ${side.session.slice(mark).map((l) => l.text).join(' | ')}`;
}

async function measure(sides: [Side, Side], mode: Mode, event: () => Promise<void>, peersOnServer: () => string[]): Promise<Trial> {
  const marks = sides.map((s) => s.session.length);
  if (mode === 'new') await Promise.all(sides.map((s) => arm(s.page, mode)));
  await event();
  const t0 = Date.now();
  if (mode === 'any') await Promise.all(sides.map((s) => arm(s.page, mode)));
  const at = await Promise.all(sides.map((s) => firstFrameAt(s.page, s.name).catch(() => NaN)));
  const sig = sides.map((s, i) => s.session.slice(marks[i]).find((l) => /resumed|rejoined/.test(l.text))?.at ?? -1);
  const trial: Trial = {
    media: [at[0]! - t0, at[1]! - t0],
    signaling: [sig[0]! < 0 ? -1 : sig[0]! - t0, sig[1]! < 0 ? -1 : sig[1]! - t0],
  };
  if (at.some((v) => Number.isNaN(v))) {
    const lines = await Promise.all(sides.map((s, i) => diagnose(s, marks[i]!)));
    trial.note = `NO FIRST FRAME within ${WAIT_MS} ms; server peers ${peersOnServer().join(', ')}; ${lines.join('; ')}`;
  }
  return trial;
}

const stats = (v: number[]) => `p50 ${percentile(v, 50)} ms, p95 ${percentile(v, 95)} ms (min ${Math.min(...v)}, max ${Math.max(...v)})`;

function report(name: string, all: Trial[], extra = ''): void {
  const trials = all.filter((t) => t.media.every((v) => !Number.isNaN(v)));
  const failed = all.length - trials.length;
  console.log(`\n== ${name} (${all.length} trials${failed ? `, ${failed} WITHOUT RECOVERY within ${WAIT_MS / 1000} s, left out of the figures` : ''}) ${extra}`);
  if (trials.length) {
    console.log(`  first frame, Ada (namespace) receiving: ${stats(trials.map((t) => t.media[0]))}`);
    console.log(`  first frame, Grace (host) receiving:    ${stats(trials.map((t) => t.media[1]))}`);
    console.log(`  both directions back (max of the two):  ${stats(trials.map((t) => Math.max(...t.media)))}`);
    const sig = trials.map((t) => t.signaling).flat().filter((v) => v >= 0);
    if (sig.length) console.log(`  signaling back (session resumed/rejoined, both pages): ${stats(sig)}`);
  }
  for (const [i, t] of all.entries()) console.log(`  #${i + 1}: media ${t.media.join(' / ')} ms, signaling ${t.signaling.join(' / ')} ms${t.note ? `, ${t.note}` : ''}`);
}

async function main(): Promise<void> {
  if (!(await NetNamespace.available())) throw new Error('needs ip, tc and iptables-legacy (npm run setup)');
  console.log(`recovery benchmark: ${machine()}`);
  console.log(`  trials ${TRIALS}, cases ${CASES.join(', ')}, short cut ${SHORT_CUT_MS} ms, long cut with RESUME_GRACE_MS ${LONG_GRACE_MS} ms (default ${RESUME_LIMITS.defaultGraceMs})`);
  console.log(`  client backoff ${RESUME_LIMITS.reconnectMinMs}→${RESUME_LIMITS.reconnectMaxMs} ms ±50 %, ICE restart after ${RESUME_LIMITS.iceRestartAfterMs} ms disconnected`);
  const ns = await NetNamespace.create();
  const contexts: BrowserContext[] = [];
  const browsers: Browser[] = [];
  let srv: TestServer | undefined;
  let dataDir: string | undefined;
  try {
    srv = await startTestServer({ HOST: ns.hostAddress }, { keepData: true });
    dataDir = srv.dataDir;
    const port = new URL(srv.url).port;
    const inside = await launchFieldBrowser({ netns: ns, secureOrigins: [srv.url] });
    const outside = await launchFieldBrowser({ secureOrigins: [srv.url] });
    browsers.push(inside, outside);
    const { id: roomId } = await srv.createRoom({ name: 'Recovery bench' });
    const logs: string[] = [];
    const open = async (browser: Browser, name: string): Promise<Side> => {
      const token = await srv!.mintToken(roomId, name);
      const session: Side['session'] = [];
      const page = await openFieldPage(browser, contexts, `${srv!.url}/room/${roomId}?token=${encodeURIComponent(token)}&autojoin=1`, logs, name);
      page.on('console', (m) => m.text().startsWith('meeting session:') && session.push({ at: Date.now(), text: m.text() }));
      return { name, page, session };
    };
    const sides: [Side, Side] = [await open(inside, 'Ada'), await open(outside, 'Grace')];
    const peers = () => [...(srv!.server.registry.get(roomId)?.peers() ?? [])].map((p) => p.id);
    await steady(sides);
    const restart = async (env: Record<string, string> = {}) => {
      await srv!.close();
      for (let attempt = 1; ; attempt++) {
        try {
          srv = await startTestServer({ HOST: ns.hostAddress, PORT: port, ...env }, { dataDir });
          return;
        } catch (error) {
          if (attempt >= 10 || !String(error).includes('EADDRINUSE')) throw error;
          await sleep(200);
        }
      }
    };
    const run = async (name: string, trial: () => Promise<Trial>): Promise<Trial[]> => {
      const trials: Trial[] = [];
      for (let i = 0; i < TRIALS; i++) {
        const t = await trial();
        trials.push(t);
        console.log(`  [${name} ${i + 1}/${TRIALS}] media ${t.media.join(' / ')} ms, signaling ${t.signaling.join(' / ')} ms${t.note ? `, ${t.note}` : ''}`);
        await steady(sides);
      }
      return trials;
    };

    if (CASES.includes('worker')) {
      // The pool gives a worker slot up after 3 deaths within 60 s (sfu/src/WorkerPool.ts, a crash-loop
      // guard): kills are paced so that no 60 s window holds more than 3 (waits outside the timing).
      const kills: number[] = [];
      const trials = await run('worker', async () => {
        const third = kills.at(-3);
        if (third !== undefined) await sleep(Math.max(0, third + 61_000 - Date.now()));
        kills.push(Date.now());
        return measure(sides, 'new', async () => {
          const pid = srv!.server.pool.workers[0]!.worker.pid!;
          process.kill(pid, 'SIGKILL');
        }, peers);
      });
      report('media worker SIGKILL → first remote frame (ms after the kill)', trials, '(at most 3 kills per 60 s: the pool\'s crash-loop guard)');
    }

    if (CASES.includes('short')) {
      const trials = await run('short', async () => {
        await ns.cut();
        await sleep(SHORT_CUT_MS);
        const t = await measure(sides, 'any', () => ns.restore(), peers);
        t.note ??= (await sides[0].page.locator('[data-testid="reconnecting"]').count()) > 0 ? 'banner still up at first frame' : undefined;
        return t;
      });
      report(`network cut of ${SHORT_CUT_MS / 1000} s → first remote frame (ms after the restore)`, trials, '(same participants: ICE restart or resume)');
    }

    if (CASES.includes('restart')) {
      const downs: number[] = [];
      const trials = await run('restart', async () => {
        const stopAt = Date.now();
        let startedAt = 0;
        const t = await measure(sides, 'new', async () => {
          await restart();
          startedAt = Date.now();
        }, peers);
        downs.push(startedAt - stopAt);
        t.note = `stop+start ${startedAt - stopAt} ms${t.note ? `; ${t.note}` : ''}`;
        return t;
      });
      report('server restart, same port and DATA_DIR → first remote frame (ms after the new server listens)', trials, `(stop + start: ${stats(downs)})`);
    }

    if (CASES.includes('long')) {
      await restart({ RESUME_GRACE_MS: String(LONG_GRACE_MS) });
      await steady(sides);
      const cutsHeld: number[] = [];
      const trials = await run('long', async () => {
        const adaId = await sides[0].page.locator('[data-testid="local-tile"]').getAttribute('data-self-id');
        await ns.cut();
        const cutAt = Date.now();
        await waitFor('the server lets Ada go', () => ![...(srv!.server.registry.get(roomId)?.peers() ?? [])].some((p) => p.id === adaId), WAIT_MS, 100);
        // A random extra hold (1 to 11 s): the restore lands anywhere in the client's attempt cycle
        // (a wait of up to 5 s, then a connect of up to 5 s), not always at the same point of it.
        await sleep(1_000 + Math.round(Math.random() * 10_000));
        cutsHeld.push(Date.now() - cutAt);
        const t = await measure(sides, 'any', () => ns.restore(), peers);
        t.note = `cut ${cutsHeld.at(-1)} ms${t.note ? `; ${t.note}` : ''}`;
        return t;
      });
      report(`network cut past the grace (${LONG_GRACE_MS} ms) → first remote frame (ms after the restore)`, trials, `(cut held: ${stats(cutsHeld)})`);
    }
  } finally {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    for (const b of browsers) await b.close().catch(() => undefined);
    await srv?.close().catch(() => undefined);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    await ns.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
