import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import * as uvu from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer, type TestServerOptions } from './testServer.js';
import { sleep, waitFor } from './waitFor.js';

/** Debian's Chromium, headless, fake camera/microphone/screen, no background traffic (docs/stack.md). */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];
export const WAIT_MS = 20_000;
export const CLIENT_INDEX = path.resolve(import.meta.dirname, '../../client/dist/index.html');

export interface LaunchOptions {
  /** Chromium flags instead of CHROMIUM_FLAGS (e.g. two fake cameras: FAKE_DEVICES_FLAGS). */
  flags?: readonly string[];
}

/**
 * CHROMIUM_FLAGS with three fake cameras (Chromium's fake_video_capture_device_factory: device i
 * captures in I420, Y16, MJPEG; fake_device_1's Y16 frames are not encoded by WebRTC, so a call
 * uses 0 and 2), and its three fake microphones and speakers (always there).
 */
export const FAKE_DEVICES_FLAGS = CHROMIUM_FLAGS.map((f) => (f === '--use-fake-device-for-media-stream' ? `${f}=device-count=3` : f));

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  if (!fs.existsSync(CLIENT_INDEX)) throw new Error(`client not built: run "npm run build -w client" (${CLIENT_INDEX} missing)`);
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...(options.flags ?? CHROMIUM_FLAGS)], timeout: WAIT_MS });
}

/** A page in its own browser context (own profile), console errors kept in `logs` for failure messages. */
export async function openPage(browser: Browser, contexts: BrowserContext[], url: string, logs: string[], options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], ...options });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on('console', (m) => m.type() === 'error' && logs.push(`[console] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  await page.goto(url);
  return page;
}

/** The page's own peer id, once it has joined. */
export async function selfId(page: Page): Promise<string> {
  const tile = page.locator('[data-testid="local-tile"][data-self-id]');
  await tile.waitFor({ timeout: WAIT_MS });
  return (await tile.getAttribute('data-self-id'))!;
}

/** Waits until the video matched by `selector` has frames, then checks that it keeps playing. */
export async function assertVideoPlaying(page: Page, selector: string, what: string, logs: string[] = []): Promise<void> {
  const state = () =>
    page.evaluate((sel) => {
      const video = document.querySelector<HTMLVideoElement>(sel);
      return video ? { width: video.videoWidth, time: video.currentTime } : null;
    }, selector);
  const first = await waitFor(`${what} playing`, async () => {
    const s = await state();
    return s && s.width > 0 && s.time > 0 ? s : null;
  }, WAIT_MS, 200).catch((error: Error) => {
    throw new Error(`${error.message}\n${logs.join('\n')}`);
  });
  await sleep(1000);
  const second = await state();
  assert.ok(second && second.width > 0, `${what}: still has frames`);
  assert.ok(second!.time > first.time, `${what}: currentTime advances (${first.time} → ${second!.time})`);
}

export interface BrowserSuiteContext {
  /** uvu drops an error thrown by a `before` hook: it is kept here and fails every test. */
  setupError?: unknown;
  srv?: TestServer;
  browser?: Browser;
  contexts: BrowserContext[];
}

/** Prints a setup error once, as the `[hook error]` line scripts/run-tests.mjs shows in the file's row. */
function printSetupError(suiteName: string, error: unknown): void {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const [first, ...rest] = text.split('\n');
  process.stderr.write(`\n[hook error] "${suiteName}" before: ${first}\n${rest.map((l) => `${l}\n`).join('')}`);
}

/**
 * A uvu suite with a real server (env as for startTestServer) and a headless Chromium, both
 * started before the tests and closed after them; each test opens pages with openPage().
 */
export function browserSuite(name: string, env: Record<string, string> = {}, options: TestServerOptions = {}, launch: LaunchOptions = {}): uvu.Test<BrowserSuiteContext> {
  const s = uvu.suite<BrowserSuiteContext>(name, { contexts: [] });
  s.before(async (ctx) => {
    try {
      ctx.srv = await startTestServer(env, options);
      ctx.browser = await launchBrowser(launch);
    } catch (error) {
      ctx.setupError = error;
      printSetupError(name, error);
    }
  });
  s.before.each((ctx) => {
    if (ctx.setupError) throw ctx.setupError;
  });
  s.after.each(async (ctx) => {
    await Promise.all(ctx.contexts.map((c) => c.close().catch(() => undefined)));
    ctx.contexts = [];
  });
  s.after(async (ctx) => {
    await ctx.browser?.close().catch(() => undefined);
    await ctx.srv?.close();
  });
  return s;
}
