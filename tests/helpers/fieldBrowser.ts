import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import * as uvu from 'uvu';
import { assertVideoPlaying, CHROMIUM_FLAGS, CLIENT_INDEX, selfId, WAIT_MS } from './browser.js';
import { waitFor } from './waitFor.js';
import { NetNamespace } from './NetNamespace.js';
import { startTestServer, type TestServer, type TestServerOptions } from './testServer.js';

const CHROMIUM = '/usr/bin/chromium';

export interface FieldBrowserOptions {
  /** Run Chromium inside this namespace (`ip netns exec`); without it, on the host. */
  netns?: NetNamespace;
  /** http origins (http://ADDR:PORT) off localhost that count as secure, so getUserMedia works there. */
  secureOrigins?: string[];
  /** More Chromium flags (e.g. --ignore-certificate-errors for a test certificate). */
  args?: string[];
}

/**
 * Debian's Chromium, headless, with the fake media of CHROMIUM_FLAGS, inside a network namespace
 * when `netns` is given: playwright starts a wrapper script (`exec ip netns exec NS chromium "$@"`),
 * so the browser and all its processes only see the namespace's veth. The wrapper's folder goes
 * with the browser.
 */
export async function launchFieldBrowser(options: FieldBrowserOptions = {}): Promise<Browser> {
  if (!fs.existsSync(CLIENT_INDEX)) throw new Error(`client not built: run "npm run build -w client" (${CLIENT_INDEX} missing)`);
  const args = [...CHROMIUM_FLAGS];
  if (options.secureOrigins?.length) args.push(`--unsafely-treat-insecure-origin-as-secure=${options.secureOrigins.join(',')}`);
  args.push(...(options.args ?? []));
  if (!options.netns) return chromium.launch({ executablePath: CHROMIUM, headless: true, args, timeout: WAIT_MS });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nvt-chromium-'));
  const wrapper = path.join(dir, 'chromium-in-netns');
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec '${options.netns.name}' ${CHROMIUM} "$@"\n`, { mode: 0o755 });
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const browser = await chromium.launch({ executablePath: wrapper, headless: true, args, timeout: WAIT_MS });
    browser.once('disconnected', removeDir);
    return browser;
  } catch (error) {
    removeDir();
    throw error;
  }
}

// Page scripts are strings, not functions: tsx wraps named callbacks in a `__name` helper the page lacks.

/** Keeps every RTCPeerConnection the pages of `context` create, for selectedCandidatePairs(). */
export async function trackPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(`(() => {
    const Native = window.RTCPeerConnection;
    if (!Native || window.__nvtPcs) return;
    const pcs = (window.__nvtPcs = []);
    window.RTCPeerConnection = new Proxy(Native, {
      construct(target, args, newTarget) {
        const pc = Reflect.construct(target, args, newTarget);
        pcs.push(pc);
        return pc;
      },
    });
  })()`);
}

export interface CandidateEnd {
  protocol: string;
  address: string | null;
  port: number;
  candidateType: string;
  relayProtocol?: string;
}

/** The selected ICE candidate pair of each open RTCPeerConnection of the page (trackPeerConnections first). */
export function selectedCandidatePairs(page: Page): Promise<Array<{ local: CandidateEnd; remote: CandidateEnd }>> {
  return page.evaluate(`(async () => {
    const pairs = [];
    for (const pc of window.__nvtPcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      const stats = [...(await pc.getStats()).values()];
      const byId = new Map(stats.map((s) => [s.id, s]));
      const transport = stats.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
      const pair = transport ? byId.get(transport.selectedCandidatePairId) : stats.find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
      if (!pair) continue;
      const end = (c) => ({ protocol: c.protocol, address: c.address ?? null, port: c.port, candidateType: c.candidateType, relayProtocol: c.relayProtocol });
      pairs.push({ local: end(byId.get(pair.localCandidateId)), remote: end(byId.get(pair.remoteCandidateId)) });
    }
    return pairs;
  })()`);
}

/**
 * A page in its own context of `browser`, its RTCPeerConnections tracked (selectedCandidatePairs),
 * its console errors and page errors kept in `logs` with the `label` (for failure messages).
 */
export async function openFieldPage(browser: Browser, contexts: BrowserContext[], url: string, logs: string[], label: string): Promise<Page> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  contexts.push(context);
  await trackPeerConnections(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && logs.push(`[${label} console.${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[${label} pageerror] ${e.message}`));
  await page.goto(url);
  return page;
}

/**
 * Frames the <video> matched by `selector` has decoded so far (getVideoPlaybackQuality), or null
 * without such a video. Unlike currentTime, which runs on while a WebRTC stream is stalled, the
 * count stops when no frame arrives.
 */
export function videoFrames(page: Page, selector: string): Promise<number | null> {
  return page.evaluate(`(() => {
    const video = document.querySelector(${JSON.stringify(selector)});
    return video && video.videoWidth > 0 ? video.getVideoPlaybackQuality().totalVideoFrames : null;
  })()`);
}

export interface FieldSuiteContext {
  /** uvu drops an error thrown by a `before` hook: it is kept here and fails every test. */
  setupError?: unknown;
  /** The browser's "home network": reset (no rule, no limit, not cut) after each test. */
  ns?: NetNamespace;
  /** Listens on ns.hostAddress, so that both browsers reach it. */
  srv?: TestServer;
  /** Chromium inside the namespace. */
  inside?: Browser;
  /** Chromium on the host. */
  outside?: Browser;
  /** Contexts the test opened (openPage of browser.ts): closed after each test. */
  contexts: BrowserContext[];
}

/**
 * A uvu suite for field tests: a namespace, a real server listening on its host address (HOST;
 * `env` adds to the environment, as a function of the namespace when it needs its address), one
 * Chromium inside the namespace and one on the host, both treating the server's http origin as
 * secure. After each test the contexts are closed and the namespace's network is reset; after the
 * suite everything is torn down, the namespace included, failures or not.
 */
export function fieldSuite(
  name: string,
  env: Record<string, string> | ((ns: NetNamespace) => Record<string, string>) = {},
  options: TestServerOptions & { browserArgs?: string[] } = {},
): uvu.Test<FieldSuiteContext> {
  const s = uvu.suite<FieldSuiteContext>(name, { contexts: [] });
  s.before(async (ctx) => {
    try {
      if (!(await NetNamespace.available())) throw new Error('field tests need ip, tc and iptables-legacy (Debian packages iproute2 and iptables: npm run setup)');
      ctx.ns = await NetNamespace.create();
      ctx.srv = await startTestServer({ HOST: ctx.ns.hostAddress, ...(typeof env === 'function' ? env(ctx.ns) : env) }, options);
      ctx.inside = await launchFieldBrowser({ netns: ctx.ns, secureOrigins: [ctx.srv.url], args: options.browserArgs });
      ctx.outside = await launchFieldBrowser({ secureOrigins: [ctx.srv.url], args: options.browserArgs });
    } catch (error) {
      ctx.setupError = error;
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      const [first, ...rest] = text.split('\n');
      process.stderr.write(`\n[hook error] "${name}" before: ${first}\n${rest.map((l) => `${l}\n`).join('')}`);
    }
  });
  s.before.each((ctx) => {
    if (ctx.setupError) throw ctx.setupError;
  });
  s.after.each(async (ctx) => {
    await Promise.all(ctx.contexts.map((c) => c.close().catch(() => undefined)));
    ctx.contexts = [];
    if (ctx.ns && !ctx.ns.closed) {
      await ctx.ns.restore();
      await ctx.ns.clearFirewall();
      await ctx.ns.clearBandwidth();
    }
  });
  s.after(async (ctx) => {
    try {
      await ctx.inside?.close().catch(() => undefined);
      await ctx.outside?.close().catch(() => undefined);
      await ctx.srv?.close();
    } finally {
      await ctx.ns?.close();
    }
  });
  return s;
}

/** A call between Ada (Chromium in the namespace) and Grace (on the host), as startFieldCall left it. */
export interface FieldCall {
  /** In the namespace. */
  ada: Page;
  /** On the host. */
  grace: Page;
  adaId: string;
  graceId: string;
  roomId: string;
  logs: string[];
  /** From Grace's page being opened to the first decoded frame: [Ada sees Grace, Grace sees Ada], ms. */
  firstFrameMs: [number, number];
}

/** The <video> of a participant's tile. */
export const tileVideo = (peerId: string) => `[data-testid="participant-tile"][data-peer-id="${peerId}"] video`;

/**
 * Ada joins from the namespace, then Grace from the host; both must play the other's video. The
 * time to first frame each way is polled every 50 ms from Grace's arrival (bounded by WAIT_MS).
 */
export async function startFieldCall(ctx: FieldSuiteContext, title: string, pageBase?: string): Promise<FieldCall> {
  const srv = ctx.srv!;
  /** Where the browsers open the page: the server, or a proxy in front of it. */
  const base = pageBase ?? srv.url;
  const { id: roomId } = await srv.createRoom({ name: title });
  const logs: string[] = [];
  const open = async (browser: Browser, name: string) =>
    openFieldPage(browser, ctx.contexts, `${base}/room/${roomId}?token=${encodeURIComponent(await srv.mintToken(roomId, name))}&autojoin=1`, logs, name);
  const ada = await open(ctx.inside!, 'Ada');
  const adaId = await selfId(ada);
  const graceToken = await srv.mintToken(roomId, 'Grace');
  const t0 = Date.now();
  const grace = await openFieldPage(ctx.outside!, ctx.contexts, `${base}/room/${roomId}?token=${encodeURIComponent(graceToken)}&autojoin=1`, logs, 'Grace');
  const graceId = await selfId(grace);
  const firstFrame = async (page: Page, selector: string, what: string) => {
    await waitFor(`${what}: a first frame\n${logs.join('\n')}`, async () => ((await videoFrames(page, selector)) ?? 0) > 0, WAIT_MS, 50);
    return Date.now() - t0;
  };
  const firstFrameMs = (await Promise.all([
    firstFrame(ada, tileVideo(graceId), 'Ada (namespace) sees Grace'),
    firstFrame(grace, tileVideo(adaId), 'Grace (host) sees Ada'),
  ])) as [number, number];
  await Promise.all([
    assertVideoPlaying(ada, tileVideo(graceId), 'Ada (namespace): video of Grace', logs),
    assertVideoPlaying(grace, tileVideo(adaId), 'Grace (host): video of Ada', logs),
  ]);
  return { ada, grace, adaId, graceId, roomId, logs, firstFrameMs };
}
