import fs from 'node:fs';
import type { Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { browserSuite, openPage as openPageIn, selfId, WAIT_MS, type BrowserSuiteContext } from '../helpers/browser.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin, outcome, SigPeer } from '../helpers/moderationHelpers.js';
import { request } from '../helpers/signalingClient.js';
import { waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

/**
 * The README's hooks for automated browsers that no other browser test clicks, in a real
 * Chromium on the built client: `lobby-refuse`, `mute-all`, `lock-room`, `export-svg`,
 * `export-png`, and the `data-speaking` mark of a tile. Other participants are WebRTC bots.
 */
const hooks = browserSuite('browser hooks');
type Ctx = BrowserSuiteContext;
const bots: WrtcBot[] = [];
const sigs: SigPeer[] = [];
hooks.after.each(() => {
  for (const b of bots.splice(0)) b.close();
  for (const p of sigs.splice(0)) p.close();
});

const openPage = (ctx: Ctx, url: string, logs: string[]): Promise<Page> => openPageIn(ctx.browser!, ctx.contexts, url, logs);
const withLogs = (logs: string[]) => (error: Error) => {
  throw new Error(`${error.message}\n${logs.join('\n')}`);
};

async function hostPage(ctx: Ctx, roomId: string, logs: string[]): Promise<{ page: Page; peerId: string }> {
  const srv = ctx.srv!;
  const page = await openPage(ctx, `${srv.url}/room/${roomId}?token=${encodeURIComponent(await srv.mintToken(roomId, 'Hilda', 'host'))}&autojoin=1`, logs);
  const peerId = await selfId(page);
  await page.locator('[data-testid="participants-panel"]').waitFor();
  return { page, peerId };
}

async function bot(ctx: Ctx, roomId: string, name: string, setup: (b: WrtcBot) => void = () => undefined): Promise<WrtcBot> {
  const b = new WrtcBot(name);
  b.publishVideo = false;
  setup(b);
  bots.push(b);
  await b.join(ctx.srv!.url, roomId, await ctx.srv!.mintToken(roomId, name));
  return b;
}

const micOf = (ctx: Ctx, roomId: string, peerId: string) =>
  [...ctx.srv!.server.registry.get(roomId)!.getPeer(peerId)!.media.producers.values()].find((p) => p.appData.source === 'microphone');

hooks('lobby-refuse: the waiting guest is shown LOBBY_REFUSED and never enters', async (ctx) => {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name: 'Refusing' });
  assert.is((await admin(srv, 'POST', `/api/rooms/${id}/lobby`, { enabled: true })).status, 204);
  const { page: host } = await hostPage(ctx, id, logs);
  const guest = await openPage(ctx, `${srv.url}/room/${id}?name=Gus&autojoin=1`, logs);
  await guest.locator('[data-testid="lobby-waiting"]').waitFor();
  const entry = host.locator('[data-testid="lobby-entry"]', { hasText: 'Gus' });
  await entry.waitFor();
  await entry.locator('[data-testid="lobby-refuse"]').click();
  // Back on the pre-join screen with the reason (the error notice carries the code).
  await guest
    .locator('[data-testid="error"][data-code="LOBBY_REFUSED"]', { hasText: 'did not let you into this meeting' })
    .waitFor()
    .catch(async (error: Error) => withLogs([...logs, `guest page: ${await guest.locator('body').innerText()}`])(error));
  assert.is(await guest.locator('[data-testid="lobby-waiting"]').count(), 0, 'no longer waiting');
  await host.locator('[data-testid="lobby-list"]').waitFor({ state: 'detached' });
  const participants = (await admin(srv, 'GET', `/api/rooms/${id}/participants`)).json;
  assert.equal(participants.controls.lobby, [], 'nobody waits any more');
  assert.equal(participants.peers.map((p: { displayName: string }) => p.displayName), ['Hilda'], 'the refused guest never entered');
  assert.is(await host.locator('[data-testid="participant-tile"]').count(), 0, 'no tile for the refused guest');
});

hooks('mute-all: every microphone but the host\'s is muted; the participants are told and the tiles show it', async (ctx) => {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name: 'Quiet please' });
  const { page: host, peerId: hostId } = await hostPage(ctx, id, logs);
  const people = [await bot(ctx, id, 'P1'), await bot(ctx, id, 'P2')];
  const told = people.map((p) => {
    const got: unknown[] = [];
    p.socket.on('mutedByHost', (d: unknown) => got.push(d));
    return got;
  });
  for (const p of people) await host.locator(`[data-testid="participant-tile"][data-peer-id="${p.peerId}"]`).waitFor();
  await waitFor('the host page publishes its microphone', () => micOf(ctx, id, hostId));
  assert.ok(people.every((p) => micOf(ctx, id, p.peerId)?.paused === false), 'microphones on before');

  await host.click('[data-testid="mute-all"]');
  await waitFor('both told', () => told.every((t) => t.length === 1)).catch(withLogs(logs));
  assert.equal(told.map((t) => t[0]), [{ source: 'microphone', locked: false }, { source: 'microphone', locked: false }]);
  for (const p of people) {
    assert.is(micOf(ctx, id, p.peerId)?.paused, true, `${p.name}'s microphone is paused on the server`);
    await host.locator(`[data-testid="participant-tile"][data-peer-id="${p.peerId}"] [data-testid="mic-muted"]`).waitFor();
  }
  assert.is(micOf(ctx, id, hostId)?.paused, false, 'the host keeps its microphone');
  await host.locator('[data-testid="toggle-mic"][aria-label="Mute microphone"]').waitFor();
});

hooks('lock-room: checked, a newcomer is refused ROOM_LOCKED; unchecked, the newcomer joins', async (ctx) => {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name: 'Locking' });
  const { page: host } = await hostPage(ctx, id, logs);
  const lock = host.locator('[data-testid="lock-room"]');
  assert.is(await lock.isChecked(), false);
  await lock.click();
  await waitFor('the room is locked', async () => (await admin(srv, 'GET', `/api/rooms/${id}/participants`)).json.controls.locked === true).catch(withLogs(logs));
  // The checkbox shows the server's state from its roomControls notification, which may come a moment after the API's answer.
  await waitFor('the checkbox shows the lock', async () => (await lock.isChecked()) === true);
  const late = await SigPeer.connect(srv, id, await srv.mintToken(id, 'Late'));
  sigs.push(late);
  assert.is(await outcome(request(late.socket, 'join', {})), 'ROOM_LOCKED');

  await lock.click();
  await waitFor('the room is unlocked', async () => (await admin(srv, 'GET', `/api/rooms/${id}/participants`)).json.controls.locked === false);
  await waitFor('the checkbox shows the unlock', async () => (await lock.isChecked()) === false);
  assert.is(await outcome(request(late.socket, 'join', {})), 'accepted');
  await host.locator('[data-testid="participant-row"]', { hasText: 'Late' }).waitFor();
});

hooks('export-svg and export-png download the board: an SVG with the drawn shape, a PNG image; an empty board exports nothing', async (ctx) => {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name: 'Drawing' });
  const { page } = await hostPage(ctx, id, logs);
  await page.click('[data-testid="toggle-board"]');
  await page.locator('.tl-canvas').waitFor({ timeout: WAIT_MS });
  const exportSvg = page.locator('[data-testid="export-svg"]');
  await waitFor('the export buttons are enabled', () => exportSvg.isEnabled());

  // Empty board: the message says so (the export is not attempted).
  await exportSvg.click();
  await page.locator('[role="status"]', { hasText: 'nothing to export' }).waitFor().catch(withLogs(logs));

  const canvas = (await page.locator('.tl-canvas').boundingBox())!;
  await page.click('[data-testid="tools.rectangle"]');
  await page.mouse.move(canvas.x + canvas.width * 0.3, canvas.y + canvas.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(canvas.x + canvas.width * 0.5, canvas.y + canvas.height * 0.5, { steps: 8 });
  await page.mouse.up();
  await waitFor('a shape on the board', async () => (await page.locator('.tl-shape').count()) > 0, WAIT_MS).catch(withLogs(logs));

  const download = async (testId: string) => {
    const [file] = await Promise.all([page.waitForEvent('download', { timeout: WAIT_MS }), page.click(`[data-testid="${testId}"]`)]);
    return { name: file.suggestedFilename(), bytes: fs.readFileSync((await file.path())!) };
  };
  const svg = await download('export-svg');
  assert.is(svg.name, 'board.svg');
  const text = svg.bytes.toString('utf8');
  assert.match(text, /^<svg[\s>]/, 'an SVG document');
  assert.match(text, /<path|<rect/, 'with the drawn shape in it');
  const png = await download('export-png');
  assert.is(png.name, 'board.png');
  assert.equal([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  const [width, height] = [png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)];
  assert.ok(width > 10 && height > 10, `a real picture (${width}×${height})`);
  assert.is(await page.locator('[role="status"]', { hasText: /nothing to export|Export failed/ }).count(), 0, 'no error shown');
});

hooks('data-speaking marks the tile of whoever is audible: a tone yes, silence no, and no more once muted', async (ctx) => {
  const srv = ctx.srv!;
  const logs: string[] = [];
  const { id } = await srv.createRoom({ name: 'Speaking' });
  const { page } = await hostPage(ctx, id, logs);
  const loud = await bot(ctx, id, 'Loud');
  const silent = await bot(ctx, id, 'Silent', (b) => (b.toneAmplitude = 0));
  const tile = (b: WrtcBot) => page.locator(`[data-testid="participant-tile"][data-peer-id="${b.peerId}"]`);
  await tile(silent).waitFor();
  await waitFor('the loud tile is marked speaking', async () => (await tile(loud).getAttribute('data-speaking')) === 'true', WAIT_MS).catch(withLogs(logs));
  // The same level update that marks the loud one leaves the silent one out.
  assert.is(await tile(silent).getAttribute('data-speaking'), 'false');
  await loud.setMicMuted(true);
  await waitFor('the muted tile is no longer speaking', async () => (await tile(loud).getAttribute('data-speaking')) === 'false', WAIT_MS).catch(withLogs(logs));
  await loud.setMicMuted(false);
  await waitFor('unmuted, it speaks again', async () => (await tile(loud).getAttribute('data-speaking')) === 'true', WAIT_MS).catch(withLogs(logs));
  assert.is(await tile(silent).getAttribute('data-speaking'), 'false', 'silence never speaks');
});

exitAfterRun(hooks);
