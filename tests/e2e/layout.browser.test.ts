import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { assertVideoPlaying, browserSuite, CHROMIUM_FLAGS, selfId, WAIT_MS, type BrowserSuiteContext } from '../helpers/browser.js';
import { describeFindings, seriousViolations } from '../helpers/axe.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

/**
 * LAY-1..4 (docs/spec/client.md): the meeting's layout as a user sees it, in Debian's Chromium on the built client, with
 * screenshots taken and checked here (geometry and a few pixels of the screenshot itself, not an
 * image diff): on a desktop the open whiteboard takes the stage and the videos go to a filmstrip;
 * side panels share one tabbed column; on a phone the controls stay in the viewport, the page does
 * not scroll, every tile is reached by scrolling inside the stage. Every control's icon is an SVG
 * (a text symbol shows a missing-glyph box where no emoji font is installed). The screenshots'
 * paths are printed, for a person to look at.
 */
const layout = browserSuite('meeting layout');
type Ctx = BrowserSuiteContext;
const bots: WrtcBot[] = [];
layout.after.each(() => {
  for (const b of bots.splice(0)) b.close();
});

const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-layout-'));

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A phone has two cameras (front and back): a browser of its own with two fake cameras. */
let twoCameras: Browser | undefined;
layout.after(async () => void (await twoCameras?.close().catch(() => undefined)));

async function openRoom(
  ctx: Ctx,
  roomId: string,
  name: string,
  logs: string[],
  options: { width: number; height: number; phone?: boolean; browser?: Browser },
): Promise<Page> {
  const srv = ctx.srv!;
  const context = await (options.browser ?? ctx.browser!).newContext({
    permissions: ['camera', 'microphone'],
    viewport: { width: options.width, height: options.height },
    ...(options.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 1 } : {}),
  });
  ctx.contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on('console', (m) => m.type() === 'error' && logs.push(`[${name} console] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[${name} pageerror] ${e.message}`));
  // A phone's browser has no screen sharing (no getDisplayMedia): the client must not offer it.
  if (options.phone) await page.addInitScript(() => void delete (MediaDevices.prototype as { getDisplayMedia?: unknown }).getDisplayMedia);
  await page.goto(`${srv.url}/room/${roomId}?token=${encodeURIComponent(await srv.mintToken(roomId, name, 'host'))}&autojoin=1`);
  await selfId(page);
  return page;
}

async function bot(ctx: Ctx, roomId: string, name: string, video: boolean): Promise<WrtcBot> {
  const b = new WrtcBot(name);
  b.publishVideo = video;
  bots.push(b);
  await b.join(ctx.srv!.url, roomId, await ctx.srv!.mintToken(roomId, name));
  return b;
}

const box = async (page: Page, selector: string): Promise<Box> => {
  const b = await page.locator(selector).first().boundingBox();
  assert.ok(b, `${selector} is rendered`);
  return b!;
};

/** The controls, each of their buttons, inside the viewport; each button's icon is an svg. */
async function assertControls(page: Page, width: number, height: number): Promise<void> {
  const bar = await box(page, '[data-testid="controls"]');
  assert.ok(bar.y >= 0 && bar.y + bar.height <= height, `the control bar is inside the viewport vertically (${bar.y}..${bar.y + bar.height} of ${height})`);
  const buttons = await page.locator('[data-testid="controls"] button.control').evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return {
        id: el.getAttribute('data-testid') ?? el.textContent,
        svg: el.querySelector('svg') !== null,
        // A symbol or an emoji used as an icon (a missing-glyph box without an emoji font).
        glyphs: [...(el.textContent ?? '').matchAll(/[\p{Extended_Pictographic}\u2190-\u2BFF\u25A0-\u25FF]/gu)].map((m) => m[0]),
        top: r.top,
        bottom: r.bottom,
        left: r.left,
        right: r.right,
      };
    }),
  );
  // Nothing of the stage runs under the control bar (a board or a panel that does not shrink would).
  const under = await page.evaluate((barTop) => {
    const parts = [...document.querySelectorAll('.stage, .main-area, .board-panel, .side-column, .room-header')];
    return parts.map((el) => ({ what: el.className, bottom: el.getBoundingClientRect().bottom })).filter((p) => p.bottom > barTop + 1);
  }, bar.y);
  assert.equal(under, [], 'no part of the stage under the controls');
  assert.ok(buttons.length >= 5, `the control bar has its buttons (${buttons.length})`);
  for (const b of buttons) {
    assert.ok(b.svg, `${b.id}: its icon is an svg`);
    assert.equal(b.glyphs, [], `${b.id}: no text symbol as an icon`);
    assert.ok(b.top >= 0 && b.bottom <= height && b.left >= 0 && b.right <= width, `${b.id} is inside the viewport (${JSON.stringify(b)})`);
  }
}

async function assertNoPageScroll(page: Page): Promise<void> {
  const { scrollHeight, scrollWidth, innerHeight, innerWidth } = await page.evaluate(() => ({
    scrollHeight: document.scrollingElement!.scrollHeight,
    scrollWidth: document.scrollingElement!.scrollWidth,
    innerHeight: window.innerHeight,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollHeight <= innerHeight, `the page does not scroll vertically (${scrollHeight} > ${innerHeight})`);
  assert.ok(scrollWidth <= innerWidth, `the page does not scroll sideways (${scrollWidth} > ${innerWidth})`);
}

/**
 * Saves a screenshot, prints its path, and returns a reader of its pixels: the PNG is decoded by
 * the page itself (an <img> drawn on a canvas), so the colours read are those of the saved file.
 */
async function screenshot(page: Page, name: string): Promise<(x: number, y: number) => Promise<[number, number, number]>> {
  const file = path.join(shots, `${name}.png`);
  const png = await page.screenshot({ path: file });
  console.log(`[layout] screenshot ${file}`);
  const dataUrl = `data:image/png;base64,${png.toString('base64')}`;
  return (x, y) =>
    page.evaluate(
      async ([url, px, py]) => {
        const img = new Image();
        img.src = url as string;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const g = canvas.getContext('2d')!;
        g.drawImage(img, 0, 0);
        const [r, gr, b] = g.getImageData(px as number, py as number, 1, 1).data;
        return [r!, gr!, b!] as [number, number, number];
      },
      [dataUrl, Math.round(x), Math.round(y)] as const,
    );
}

/** axe-core (WCAG 2.1 A/AA): no serious or critical violation in this layout either (contrast, names, scrollable regions). */
async function assertAccessible(page: Page, what: string): Promise<void> {
  const findings = await seriousViolations(page);
  assert.is(findings.length, 0, `${what}: serious or critical violations\n${describeFindings(findings)}`);
}

const brightness = ([r, g, b]: [number, number, number]) => (r + g + b) / 3;

layout('desktop 1280×800, board and chat open: the board takes the stage, the videos are in a filmstrip, the panels share one tabbed column', async (ctx) => {
  const { id } = await ctx.srv!.createRoom({ name: 'Layout desktop' });
  const logs: string[] = [];
  const page = await openRoom(ctx, id, 'Ada', logs, { width: 1280, height: 800 });
  await bot(ctx, id, 'Grace', true);
  await bot(ctx, id, 'Linus', false);
  await waitFor('two remote tiles', async () => (await page.locator('[data-testid="participant-tile"]').count()) === 2, WAIT_MS);
  await page.locator('[data-testid="participants-panel"]').waitFor();

  await page.click('[data-testid="toggle-board"]');
  await page.locator('.tl-canvas').waitFor({ timeout: WAIT_MS });
  await page.click('[data-testid="toggle-chat"]');
  await page.locator('[data-testid="chat-panel"]').waitFor();
  // One column, one tab per panel, the chat's shown; the participants' kept in its tab.
  const tabs = page.locator('.side-column [role="tablist"] [role="tab"]');
  assert.equal(await tabs.evaluateAll((els) => els.map((e) => [e.getAttribute('data-testid'), e.getAttribute('aria-selected')])), [
    ['tab-participants', 'false'],
    ['tab-chat', 'true'],
  ]);
  assert.is(await page.locator('.side-column').count(), 1, 'one side column');
  assert.ok(!(await page.locator('[data-testid="participants-panel"]').isVisible()), 'the participants panel waits in its tab');
  // Let tldraw settle its size (it measures its container).
  await waitFor('tldraw fills the board panel', async () => {
    const [board, canvas] = await Promise.all([box(page, '[data-testid="board-panel"]'), box(page, '.tl-container')]);
    return canvas.width > board.width * 0.9;
  }, WAIT_MS);

  const pixel = await screenshot(page, 'desktop-board-open');
  const canvas = await box(page, '.tl-container');
  assert.ok(canvas.width >= 0.6 * 1280, `the board's canvas takes most of the width (${canvas.width} px of 1280)`);
  assert.ok(canvas.height >= 0.5 * 800, `and most of the height (${canvas.height} px of 800)`);
  const tiles = await page.locator('[data-testid="local-tile"], [data-testid="participant-tile"]').evaluateAll((els) =>
    els.map((el) => ({ inFilmstrip: el.closest('.filmstrip') !== null, height: el.getBoundingClientRect().height, bottom: el.getBoundingClientRect().bottom })),
  );
  assert.is(tiles.length, 3);
  for (const t of tiles) {
    assert.ok(t.inFilmstrip, 'every video is in the filmstrip');
    assert.ok(t.height <= 130 && t.height >= 50, `a small tile (${t.height} px high)`);
    assert.ok(t.bottom <= canvas.y, 'the filmstrip is above the board, not over it');
  }
  await assertControls(page, 1280, 800);
  await assertNoPageScroll(page);
  await assertAccessible(page, 'desktop, board and chat open');
  // The saved picture shows it: tldraw's light canvas in the middle of the board, the dark room
  // under the control bar's buttons, a side column to the right of the board.
  assert.ok(brightness(await pixel(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2)) > 200, 'the board is drawn in the screenshot (light canvas)');
  const bar = await box(page, '[data-testid="controls"]');
  assert.ok(brightness(await pixel(2, bar.y + bar.height / 2)) < 60, 'dark background beside the control bar');
  const column = await box(page, '.side-column');
  assert.ok(column.x >= canvas.x + canvas.width, 'the side column is beside the board');

  // Zoomed to 200 % (the same window, 640×400 CSS pixels): nothing lost, the controls still in view.
  await page.setViewportSize({ width: 640, height: 400 });
  await waitFor('the layout follows the zoom', async () => (await page.evaluate(() => window.innerWidth)) === 640, WAIT_MS);
  await screenshot(page, 'desktop-zoom-200');
  await assertControls(page, 640, 400);
  await assertNoPageScroll(page);
  await assertAccessible(page, 'desktop at 200 %');
  const zoomedCanvas = await box(page, '.tl-container');
  assert.ok(zoomedCanvas.height >= 150 && zoomedCanvas.width >= 300, `the board is still usable at 200 % (${zoomedCanvas.width}×${zoomedCanvas.height})`);
  assert.ok(await page.locator('[data-testid="chat-input"]').isVisible(), 'and the chat too');
  await page.setViewportSize({ width: 1280, height: 800 });

  // Closing the board brings the videos back to the stage.
  await page.click('[data-testid="toggle-board"]');
  await page.locator('[data-testid="board-panel"]').waitFor({ state: 'detached' });
  assert.is(await page.locator('.filmstrip').count(), 0, 'no filmstrip without the board');
  const tile = await box(page, '[data-testid="participant-tile"]');
  assert.ok(tile.height > 130, `the tiles are large again (${tile.height} px)`);
});

layout('a screen shared while the board is open: it joins the filmstrip, the board keeps the stage; closing the board brings it back large', async (ctx) => {
  const { id } = await ctx.srv!.createRoom({ name: 'Layout screen' });
  const logs: string[] = [];
  const presenter = await openRoom(ctx, id, 'Ada', logs, { width: 1280, height: 800 });
  const viewer = await openRoom(ctx, id, 'Grace', logs, { width: 1280, height: 800 });
  await viewer.click('[data-testid="toggle-board"]');
  await viewer.locator('.tl-canvas').waitFor({ timeout: WAIT_MS });
  await presenter.click('[data-testid="toggle-screen"]');
  await presenter.locator('[data-testid="sharing-notice"]').waitFor();
  await assertVideoPlaying(viewer, '.filmstrip video[data-testid="screen-video"]', 'viewer: the shared screen in the filmstrip', logs);
  await screenshot(viewer, 'desktop-board-and-screen');
  const canvas = await box(viewer, '.tl-container');
  assert.ok(canvas.width >= 0.6 * 1280, `the board keeps most of the width (${canvas.width})`);
  const thumb = await box(viewer, '.filmstrip .screen-thumb');
  assert.ok(thumb.y + thumb.height <= canvas.y, 'the screen is above the board, in the filmstrip');
  await assertControls(viewer, 1280, 800);
  await assertNoPageScroll(viewer);
  await viewer.click('[data-testid="toggle-board"]');
  await assertVideoPlaying(viewer, '.screen-stage video[data-testid="screen-video"]', 'viewer: the shared screen on the stage', logs);
  const stage = await box(viewer, '.screen-stage');
  assert.ok(stage.width >= 0.5 * 1280, `the screen is large again (${stage.width} px wide)`);
});

layout('phone 390×844 in a room of 5: controls in the viewport, no page scroll, every tile reached inside the stage, panels under the stage', async (ctx) => {
  const { id } = await ctx.srv!.createRoom({ name: 'Layout phone' });
  const logs: string[] = [];
  twoCameras ??= await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_FLAGS.filter((f) => !f.startsWith('--use-fake-device-for-media-stream')), '--use-fake-device-for-media-stream=device-count=2'],
    timeout: WAIT_MS,
  });
  const page = await openRoom(ctx, id, 'Ada', logs, { width: 390, height: 844, phone: true, browser: twoCameras });
  const grace = await bot(ctx, id, 'Grace', true);
  for (const name of ['Linus', 'Margaret', 'Barbara']) await bot(ctx, id, name, false);
  await waitFor('four remote tiles', async () => (await page.locator('[data-testid="participant-tile"]').count()) === 4, WAIT_MS);
  await assertVideoPlaying(page, `[data-testid="participant-tile"][data-peer-id="${grace.peerId}"] video`, 'Grace\'s video on the phone', logs);

  assert.is(await page.locator('[data-testid="toggle-screen"]').count(), 0, 'no screen sharing where the browser cannot share');
  assert.is(await page.locator('.side-column').count(), 0, 'no panel open on a phone at first: the stage has the room');
  const pixel = await screenshot(page, 'phone-room-of-5');
  await assertControls(page, 390, 844);
  await assertNoPageScroll(page);
  const bar = await box(page, '[data-testid="controls"]');
  assert.ok(brightness(await pixel(2, bar.y + bar.height / 2)) < 60, 'the control bar is in the screenshot, on the dark room');

  /** Each tile, brought into view by scrolling the stage (not the page), shows above the controls. */
  const assertTilesReachable = async (what: string) => {
    const count = await page.locator('[data-testid="local-tile"], [data-testid="participant-tile"]').count();
    assert.is(count, 5, `${what}: five tiles`);
    for (let i = 0; i < count; i++) {
      const tile = page.locator('[data-testid="local-tile"], [data-testid="participant-tile"]').nth(i);
      await tile.evaluate((el) => el.scrollIntoView({ block: 'nearest', inline: 'nearest' }));
      const b = (await tile.boundingBox())!;
      const controlsTop = (await box(page, '[data-testid="controls"]')).y;
      assert.ok(b.y >= 0 && b.y + b.height <= controlsTop + 1, `${what}: tile ${i} is shown above the controls once scrolled to (${b.y}..${b.y + b.height}, controls at ${controlsTop})`);
      const width = page.viewportSize()!.width;
      assert.ok(b.x >= 0 && b.x + b.width <= width, `${what}: tile ${i} within the width`);
      assert.ok(b.height >= 50, `${what}: tile ${i} is not squashed (${b.height} px)`);
      await assertNoPageScroll(page);
    }
  };
  await assertTilesReachable('grid');
  await assertAccessible(page, 'phone, room of 5');

  // The participants panel: a sheet under the stage, which shrinks; neither covers the other.
  await page.click('[data-testid="toggle-participants"]');
  await page.locator('[data-testid="participants-panel"]').waitFor();
  await screenshot(page, 'phone-participants-open');
  const [main, column] = await Promise.all([box(page, '.main-area'), box(page, '.side-column')]);
  assert.ok(column.y >= main.y + main.height - 1, `the panel is under the stage, not over it (stage ends ${main.y + main.height}, panel starts ${column.y})`);
  assert.ok(main.height >= 200, `the stage keeps room for the speaker (${main.height} px)`);
  await assertControls(page, 390, 844);
  await assertNoPageScroll(page);
  await assertTilesReachable('with the panel open');
  await assertAccessible(page, 'phone, participants sheet');
  await page.click('[data-testid="toggle-participants"]');
  await page.locator('[data-testid="participants-panel"]').waitFor({ state: 'detached' });

  // Camera flip (a touch screen with two cameras): the sent camera is now the other device, still sent.
  const cameraId = () => page.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>('[data-testid="local-video"]');
    return (video?.srcObject as MediaStream | null)?.getVideoTracks()[0]?.getSettings().deviceId ?? null;
  });
  const before = await cameraId();
  assert.ok(before, 'the local camera is shown');
  await page.click('[data-testid="flip-camera"]');
  await waitFor('the other camera is shown', async () => {
    const now = await cameraId();
    return now !== null && now !== before;
  }, WAIT_MS).catch((error: Error) => {
    throw new Error(`${error.message}\n${logs.join('\n')}`);
  });
  const selfPeer = await selfId(page);
  const cameraProducer = () =>
    [...ctx.srv!.server.registry.get(id)!.getPeer(selfPeer)!.media.producers.values()].find((p) => p.appData.source === 'camera');
  assert.ok(cameraProducer() && !cameraProducer()!.closed, 'the camera is still sent (replaceTrack, no rejoin)');

  // The speaker view on a phone: one large tile, the others in a strip, all above the controls.
  await page.click('[data-testid="layout-speaker"]');
  const speaker = await box(page, '.speaker-stage [data-testid="participant-tile"]');
  assert.ok(speaker.width >= 0.9 * 390 - 20, `the speaker takes the width (${speaker.width})`);
  await screenshot(page, 'phone-speaker-view');
  await assertControls(page, 390, 844);
  await assertNoPageScroll(page);
  await assertTilesReachable('speaker view');
  await page.click('[data-testid="layout-grid"]');

  // The board on a phone: it takes the stage, the tiles are a filmstrip that scrolls sideways.
  await page.click('[data-testid="toggle-board"]');
  await page.locator('.tl-canvas').waitFor({ timeout: WAIT_MS });
  await screenshot(page, 'phone-board-open');
  const canvas = await box(page, '.tl-container');
  assert.ok(canvas.width >= 0.9 * 390 - 20, `the board takes the width (${canvas.width})`);
  await assertControls(page, 390, 844);
  await assertNoPageScroll(page);
  await assertTilesReachable('filmstrip');
  await assertAccessible(page, 'phone, board and filmstrip');

  // Turned sideways (844×390): still no page scroll, controls in view, the board still there.
  await page.setViewportSize({ width: 844, height: 390 });
  await waitFor('the layout follows the rotation', async () => (await page.evaluate(() => window.innerHeight)) === 390, WAIT_MS);
  await screenshot(page, 'phone-landscape-board');
  await assertControls(page, 844, 390);
  await assertNoPageScroll(page);
  const sideways = await box(page, '.tl-container');
  assert.ok(sideways.height >= 150, `the board keeps some height sideways (${sideways.height})`);
  await assertTilesReachable('filmstrip sideways');
});

exitAfterRun(layout);
