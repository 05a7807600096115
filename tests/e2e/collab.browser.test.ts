import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { launchBrowser, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * The whiteboard and chat in two real browsers through the built client: page 1 draws a
 * rectangle with tldraw and sends a chat message; page 2 shows both (and an unread count while
 * its chat is hidden); after a server restart on the same DATA_DIR a new page shows both again.
 */
interface Ctx {
  setupError?: unknown;
  srv?: TestServer;
  dataDir?: string;
  browser?: Browser;
  contexts: BrowserContext[];
}
const board = suite<Ctx>('whiteboard and chat in browsers', { contexts: [] });

board.before(async (ctx) => {
  try {
    ctx.srv = await startTestServer({}, { keepData: true });
    ctx.dataDir = ctx.srv.dataDir;
    ctx.browser = await launchBrowser();
  } catch (error) {
    ctx.setupError = error;
  }
});
board.before.each((ctx) => {
  if (ctx.setupError) throw ctx.setupError;
});
board.after(async (ctx) => {
  await Promise.all(ctx.contexts.map((c) => c.close().catch(() => undefined)));
  await ctx.browser?.close().catch(() => undefined);
  await ctx.srv?.close();
  if (ctx.dataDir) fs.rmSync(ctx.dataDir, { recursive: true, force: true });
});

async function openRoom(ctx: Ctx, roomId: string, name: string, logs: string[]): Promise<Page> {
  const srv = ctx.srv!;
  const context = await ctx.browser!.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1400, height: 900 } });
  ctx.contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.on('console', (m) => m.type() === 'error' && logs.push(`[${name} console] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[${name} pageerror] ${e.message}`));
  await page.goto(`${srv.url}/room/${roomId}?token=${encodeURIComponent(await srv.mintToken(roomId, name))}&autojoin=1`);
  await page.locator('[data-testid="toggle-board"]').waitFor();
  return page;
}

async function openBoard(page: Page): Promise<void> {
  await page.click('[data-testid="toggle-board"]');
  await page.locator('.tl-canvas').waitFor({ timeout: WAIT_MS });
}

const withLogs = (logs: string[]) => (error: Error) => {
  throw new Error(`${error.message}\n${logs.join('\n')}`);
};

board('a drawn shape and a chat message reach the other page, and survive a server restart', async (ctx) => {
  const { id } = await ctx.srv!.createRoom({ id: 'weekly-team' });
  const logs: string[] = [];
  const ada = await openRoom(ctx, id, 'Ada', logs);
  const grace = await openRoom(ctx, id, 'Grace', logs);

  // Ada draws a rectangle: the rectangle tool, then a drag on the canvas.
  await openBoard(ada);
  await openBoard(grace);
  const canvas = (await ada.locator('.tl-canvas').boundingBox())!;
  await ada.click('[data-testid="tools.rectangle"]');
  await ada.mouse.move(canvas.x + canvas.width * 0.3, canvas.y + canvas.height * 0.3);
  await ada.mouse.down();
  await ada.mouse.move(canvas.x + canvas.width * 0.5, canvas.y + canvas.height * 0.5, { steps: 8 });
  await ada.mouse.up();
  await waitFor('Ada has a shape', async () => (await ada.locator('.tl-shape').count()) > 0, WAIT_MS).catch(withLogs(logs));
  await waitFor('Grace sees the shape', async () => (await grace.locator('.tl-shape').count()) > 0, WAIT_MS).catch(withLogs(logs));
  // Live cursors: Grace moves over her board; Ada sees a collaborator cursor named Grace.
  const graceCanvas = (await grace.locator('.tl-canvas').boundingBox())!;
  for (let i = 0; i < 5; i++) await grace.mouse.move(graceCanvas.x + 100 + i * 20, graceCanvas.y + 200, { steps: 3 });
  await ada.locator('.tl-collaborator__cursor', { hasText: 'Grace' }).waitFor().catch(withLogs(logs));

  // Ada sends a message; Grace, chat hidden, sees an unread count, then the message.
  await ada.click('[data-testid="toggle-chat"]');
  await ada.fill('[data-testid="chat-input"]', 'Agenda: budget 2026');
  await ada.press('[data-testid="chat-input"]', 'Enter');
  await ada.locator('[data-testid="chat-message"]', { hasText: 'Agenda: budget 2026' }).waitFor();
  assert.is(await ada.inputValue('[data-testid="chat-input"]'), '', 'Enter sent and cleared the input');
  await grace.locator('[data-testid="chat-unread"]', { hasText: '1' }).waitFor().catch(withLogs(logs));
  await grace.click('[data-testid="toggle-chat"]');
  const message = grace.locator('[data-testid="chat-message"]', { hasText: 'Agenda: budget 2026' });
  await message.waitFor();
  assert.match((await message.textContent()) ?? '', /Ada/, 'the author\'s name is shown');
  assert.is(await grace.locator('[data-testid="chat-unread"]').count(), 0, 'no unread count once the chat is open');

  // Restart the server on the same DATA_DIR; a new page of the room shows both.
  await Promise.all(ctx.contexts.map((c) => c.close()));
  ctx.contexts = [];
  await ctx.srv!.close();
  ctx.srv = await startTestServer({}, { dataDir: ctx.dataDir });
  const later = await openRoom(ctx, id, 'Linus', logs);
  await openBoard(later);
  await waitFor('the shape is back', async () => (await later.locator('.tl-shape').count()) > 0, WAIT_MS).catch(withLogs(logs));
  await later.click('[data-testid="toggle-chat"]');
  await later.locator('[data-testid="chat-message"]', { hasText: 'Agenda: budget 2026' }).waitFor().catch(withLogs(logs));
  const stored = await fetch(`${ctx.srv.url}/api/rooms/${id}/board`, { headers: { authorization: `Bearer ${ctx.srv.adminKey}` } });
  const snapshot = (await stored.json()) as { store: Record<string, { typeName: string; type?: string }> };
  assert.ok(Object.values(snapshot.store).some((r) => r.typeName === 'shape' && r.type === 'geo'), 'the admin API returns the rectangle');
});

exitAfterRun(board);
