import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertVideoPlaying, launchBrowser, selfId, WAIT_MS } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { videoFrames } from '../helpers/fieldBrowser.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { sleep, waitFor } from '../helpers/waitFor.js';

/**
 * A server restart under a live call (issue 11; SIG-13, SIG-15, SIG-16, MOD-10): the server is
 * stopped as on SIGTERM (`close()`: every session gets `closing { UNAVAILABLE }`, not a final
 * code) and started again on the same port and DATA_DIR. Both browsers come back into the call by
 * themselves (a full rejoin: the new server knows no session), with the board and the chat as they
 * were and nothing doubled; a participant the host removed before the restart stays out, and a
 * fresh try with its token is refused REMOVED, once.
 */
interface Ctx {
  setupError?: unknown;
  srv?: TestServer;
  dataDir?: string;
  browser?: Browser;
  contexts: BrowserContext[];
}
const restart = suite<Ctx>('server restart under two browsers', { contexts: [] });

restart.before(async (ctx) => {
  try {
    ctx.srv = await startTestServer({}, { keepData: true });
    ctx.dataDir = ctx.srv.dataDir;
    ctx.browser = await launchBrowser();
  } catch (error) {
    ctx.setupError = error;
    process.stderr.write(`\n[hook error] "server restart" before: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
});
restart.before.each((ctx) => {
  if (ctx.setupError) throw ctx.setupError;
});
restart.after(async (ctx) => {
  await Promise.all(ctx.contexts.map((c) => c.close().catch(() => undefined)));
  await ctx.browser?.close().catch(() => undefined);
  await ctx.srv?.close();
  if (ctx.dataDir) fs.rmSync(ctx.dataDir, { recursive: true, force: true });
});

const tileSelector = (peerId: string) => `[data-testid="participant-tile"][data-peer-id="${peerId}"]`;
const tileVideo = (peerId: string) => `${tileSelector(peerId)} video`;

interface Opened {
  page: Page;
  /** The page's "meeting session: …" console lines. */
  session: string[];
  /** socket.io websockets the page opened, in order. */
  sockets: string[];
}

async function open(ctx: Ctx, roomId: string, token: string, name: string, logs: string[]): Promise<Opened> {
  const context = await ctx.browser!.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1400, height: 900 } });
  ctx.contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const session: string[] = [];
  const sockets: string[] = [];
  page.on('console', (m) => {
    if (m.text().startsWith('meeting session:')) session.push(m.text());
    if (m.type() === 'error') logs.push(`[${name} console] ${m.text()}`);
  });
  page.on('pageerror', (e) => logs.push(`[${name} pageerror] ${e.message}`));
  page.on('websocket', (ws) => ws.url().includes('/socket.io/') && sockets.push(ws.url()));
  await page.goto(`${ctx.srv!.url}/room/${roomId}?token=${encodeURIComponent(token)}&autojoin=1`);
  return { page, session, sockets };
}

/** Another peer id than `old` on the page's own tile (after a full rejoin). */
function newSelfId(page: Page, old: string): Promise<string> {
  return waitFor('a new peer id', async () => {
    const id = await page.locator('[data-testid="local-tile"]').getAttribute('data-self-id');
    return id && id !== old ? id : null;
  }, 3 * WAIT_MS);
}

async function drawRectangle(page: Page, from: number, to: number): Promise<void> {
  const canvas = (await page.locator('.tl-canvas').boundingBox())!;
  await page.click('[data-testid="tools.rectangle"]');
  await page.mouse.move(canvas.x + canvas.width * from, canvas.y + canvas.height * from);
  await page.mouse.down();
  await page.mouse.move(canvas.x + canvas.width * to, canvas.y + canvas.height * to, { steps: 8 });
  await page.mouse.up();
}

async function sendChat(page: Page, text: string): Promise<void> {
  await page.fill('[data-testid="chat-input"]', text);
  await page.press('[data-testid="chat-input"]', 'Enter');
}

const countMessages = (page: Page, text: string) => page.locator('[data-testid="chat-message"]', { hasText: text }).count();
const countShapes = (page: Page) => page.locator('.tl-shape').count();
const peerIdsOnServer = (srv: TestServer, roomId: string) => [...(srv.server.registry.get(roomId)?.peers() ?? [])].map((p) => p.id).sort();

/** Starts the server again on the port and DATA_DIR of the stopped one (a few tries if the port is not free yet). */
async function startAgain(port: string, dataDir: string): Promise<TestServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startTestServer({ PORT: port }, { dataDir });
    } catch (error) {
      if (attempt >= 10 || !String(error).includes('EADDRINUSE')) throw error;
      await sleep(200);
    }
  }
}

restart('SIGTERM-like stop and a start on the same port and DATA_DIR: both browsers back by themselves, board and chat intact, the removed one still out', async (ctx) => {
  const { id: roomId } = await ctx.srv!.createRoom({ name: 'Restart' });
  const logs: string[] = [];
  const withLogs = (error: Error) => {
    throw new Error(`${error.message}\n${logs.join('\n')}`);
  };
  const gusToken = await ctx.srv!.mintToken(roomId, 'Gus');
  const ada = await open(ctx, roomId, await ctx.srv!.mintToken(roomId, 'Ada', 'host'), 'Ada', logs);
  const grace = await open(ctx, roomId, await ctx.srv!.mintToken(roomId, 'Grace'), 'Grace', logs);
  const gus = await open(ctx, roomId, gusToken, 'Gus', logs);
  const [adaId, graceId, gusId] = await Promise.all([selfId(ada.page), selfId(grace.page), selfId(gus.page)]);
  await Promise.all([
    assertVideoPlaying(ada.page, tileVideo(graceId), 'Ada: video of Grace', logs),
    assertVideoPlaying(grace.page, tileVideo(adaId), 'Grace: video of Ada', logs),
  ]);

  // The board: Ada draws a rectangle, Grace sees it. The chat: Ada says something, Grace reads it.
  for (const p of [ada.page, grace.page]) {
    await p.click('[data-testid="toggle-board"]');
    await p.locator('.tl-canvas').waitFor();
  }
  await drawRectangle(ada.page, 0.3, 0.45);
  await waitFor('Grace sees Ada\'s shape', async () => (await countShapes(grace.page)) === 1, WAIT_MS).catch(withLogs);
  assert.is(await countShapes(ada.page), 1);
  for (const p of [ada.page, grace.page]) await p.click('[data-testid="toggle-chat"]');
  await sendChat(ada.page, 'before the restart');
  await grace.page.locator('[data-testid="chat-message"]', { hasText: 'before the restart' }).waitFor().catch(withLogs);

  // Ada, host, removes Gus: his meeting ends with REMOVED and he opens no other socket.
  const gusSocketsAtRemoval = gus.sockets.length;
  // The side panels share one column (tabs): Ada shows the participants' tab to remove Gus, then the chat's again.
  await ada.page.click('[data-testid="toggle-participants"]');
  await ada.page.locator(`[data-testid="participant-row"][data-peer-id="${gusId}"] [data-testid="remove-participant"]`).click();
  await ada.page.click('[data-testid="toggle-chat"]');
  const gusEnded = gus.page.locator('[data-testid="ended"]');
  await gusEnded.waitFor();
  assert.is(await gusEnded.locator('[data-testid="error"]').getAttribute('data-code'), 'REMOVED');
  await waitFor('Gus has left the room', () => !peerIdsOnServer(ctx.srv!, roomId).includes(gusId), WAIT_MS);
  for (const p of [ada.page, grace.page]) await p.locator(tileSelector(gusId)).waitFor({ state: 'detached' });

  // The restart: close() as on SIGTERM, keeping the data; then a new server on the same port and DATA_DIR.
  const port = new URL(ctx.srv!.url).port;
  const stopAt = Date.now();
  await ctx.srv!.close();
  const stoppedAfter = Date.now() - stopAt;
  await Promise.all([ada, grace].map((o) => o.page.locator('[data-testid="reconnecting"]').waitFor({ timeout: WAIT_MS })));
  ctx.srv = await startAgain(port, ctx.dataDir!);
  const startedAt = Date.now();
  assert.is(new URL(ctx.srv.url).port, port, 'the same port');

  const [newAda, newGrace] = await Promise.all([newSelfId(ada.page, adaId), newSelfId(grace.page, graceId)]).catch(withLogs);
  const firstFrame = async (page: Page, selector: string) => {
    await waitFor(`${selector} has frames\n${logs.join('\n')}`, async () => ((await videoFrames(page, selector)) ?? 0) > 0, 3 * WAIT_MS, 50);
    return Date.now() - startedAt;
  };
  const media = await Promise.all([firstFrame(ada.page, tileVideo(newGrace)), firstFrame(grace.page, tileVideo(newAda))]);
  const rejoinLine = (o: Opened) => o.session.filter((l) => l.includes('rejoined')).at(-1) ?? '(none)';
  console.log(
    `[reconnect] server restart (stop took ${stoppedAfter} ms, down ${startedAt - stopAt} ms): first frame ${media[0]} ms after the start (Ada receiving), ` +
      `${media[1]} ms (Grace receiving); Ada "${rejoinLine(ada)}", Grace "${rejoinLine(grace)}"`,
  );

  // Back in the call: the same tiles (each sees the other, nobody else), videos playing, no banner, no end screen.
  await Promise.all([
    assertVideoPlaying(ada.page, tileVideo(newGrace), 'Ada: video of Grace after the restart', logs),
    assertVideoPlaying(grace.page, tileVideo(newAda), 'Grace: video of Ada after the restart', logs),
  ]);
  for (const [o, other] of [[ada, newGrace], [grace, newAda]] as const) {
    assert.ok(o.session.some((l) => l.includes('rejoined')), `a full rejoin: ${o.session.join(' | ')}`);
    await o.page.locator('[data-testid="reconnecting"]').waitFor({ state: 'detached', timeout: WAIT_MS });
    assert.is(await o.page.locator('[data-testid="ended"]').count(), 0, 'the meeting did not end');
    const tiles = await o.page.locator('[data-testid="participant-tile"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-peer-id')));
    assert.equal(tiles, [other], 'one remote tile: the other one');
  }
  assert.equal(peerIdsOnServer(ctx.srv, roomId), [newAda, newGrace].sort(), 'the server has Ada and Grace, not Gus');
  assert.is([...(ctx.srv.server.registry.get(roomId)?.peers() ?? [])].find((p) => p.id === newAda)?.role, 'host', 'Ada is host again');

  // Board and chat: still there; a new shape and a new message after the restart are the barrier before counting.
  // (Grace's open chat narrows her board past the width where tldraw shows its tools: closed while she draws.)
  await grace.page.click('[data-testid="toggle-chat"]');
  await drawRectangle(grace.page, 0.55, 0.7);
  await grace.page.click('[data-testid="toggle-chat"]');
  await waitFor('Ada sees Grace\'s new shape', async () => (await countShapes(ada.page)) >= 2, WAIT_MS).catch(withLogs);
  await sendChat(grace.page, 'after the restart');
  await ada.page.locator('[data-testid="chat-message"]', { hasText: 'after the restart' }).waitFor().catch(withLogs);
  for (const [name, o] of [['Ada', ada], ['Grace', grace]] as const) {
    assert.is(await countShapes(o.page), 2, `${name}: the shape from before and the new one, nothing doubled`);
    assert.is(await countMessages(o.page, 'before the restart'), 1, `${name}: the message from before, once`);
    assert.is(await countMessages(o.page, 'after the restart'), 1, `${name}: the new message, once`);
  }

  // Gus: his ended page stayed ended (no socket since the removal); a fresh try with his token is refused REMOVED (MOD-10), once.
  assert.is(gus.sockets.length, gusSocketsAtRemoval, `Gus's ended page opened no socket (${gus.sockets.join(', ')})`);
  assert.is(await gusEnded.count(), 1);
  const again = await open(ctx, roomId, gusToken, 'Gus again', logs);
  // A refused first join goes back to the pre-join screen with the refusal (RoomPage), not the end screen.
  const refusal = again.page.locator('[data-testid="error"]');
  await refusal.waitFor().catch(withLogs);
  assert.is(await refusal.getAttribute('data-code'), 'REMOVED');
  // Barrier: a chat round trip between Ada and Grace after Gus's refusal, then Gus still has one notice and one socket.
  await sendChat(ada.page, 'Gus is out');
  await grace.page.locator('[data-testid="chat-message"]', { hasText: 'Gus is out' }).waitFor();
  assert.is(await refusal.count(), 1, 'shown once');
  assert.is(await again.page.locator('[data-testid="local-tile"]').count(), 0, 'not in the meeting');
  assert.is(again.sockets.length, 1, `one try, no retry (${again.sockets.join(', ')})`);
  assert.ok(!again.session.some((l) => l.includes('reconnecting')), `no reconnection: ${again.session.join(' | ')}`);
  assert.is(await again.page.locator('[data-testid="reconnecting"]').count(), 0);
  assert.equal(peerIdsOnServer(ctx.srv, roomId), [newAda, newGrace].sort(), 'Gus did not come back');
});

exitAfterRun(restart);
