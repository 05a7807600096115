import * as assert from 'uvu/assert';
import type { RoomControls } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin, fakeRtp, outcome, SigPeer } from '../helpers/moderationHelpers.js';
import { ScreenShare } from '../helpers/ScreenShare.js';
import { request } from '../helpers/signalingClient.js';
import { waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';
import { joinBot, wrtcSuite, type WrtcSuiteContext } from '../helpers/wrtcSuite.js';

/**
 * Screens under moderation and the screen limit, with real WebRTC clients sharing real media:
 * MOD-2 (a host, or the admin API, stops someone's screen share: its video and its audio close for
 * everyone; with `lock`, it may not share again until `…/unlock`), SIG-9 (`maxScreenShares` screens
 * at once, the next one SCREEN_SHARE_BUSY; PATCH changes the limit of a live room).
 */
type Ctx = WrtcSuiteContext;
const screens = wrtcSuite('screen share moderation and limit');
/** Shares and signaling-only peers of the running test, closed after it. */
const shares: ScreenShare[] = [];
const sigs: SigPeer[] = [];
screens.after.each((ctx) => {
  for (const s of shares.splice(0)) s.close();
  ScreenShare.closeTransports();
  for (const p of sigs.splice(0)) p.close();
  for (const b of ctx.bots.splice(0)) b.close();
});

async function share(bot: WrtcBot, withAudio = false): Promise<ScreenShare> {
  const s = await ScreenShare.start(bot, withAudio);
  shares.push(s);
  return s;
}

/** The receiver's open track of one producer, once it has decoded a few frames (audio: chunks). */
const receiving = (receiver: WrtcBot, producerId: string, what: string) =>
  waitFor(`${receiver.name} receives ${what}`, () => [...receiver.remote.values()].find((t) => t.producerId === producerId && !t.closed && t.frames > 3), 15_000);

const screenProducers = (ctx: Ctx, roomId: string, peerId: string) =>
  [...ctx.srv!.server.registry.get(roomId)!.getPeer(peerId)!.media.producers.values()].map((p) => p.appData.source).filter((s) => s.startsWith('screen'));

const notes = <T>(bot: WrtcBot, name: string): T[] => {
  const got: T[] = [];
  bot.socket.on(name, (d: T) => got.push(d));
  return got;
};

screens('MOD-2: a host stops a participant\'s screen share: screen video and audio close for everyone, the camera goes on; it may share again', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'stop screen' });
  const realHost = new WrtcBot('Host');
  ctx.bots.push(realHost);
  await realHost.join(srv.url, id, await srv.mintToken(id, 'Host', 'host'));
  const hostBot = await joinBot(ctx, id, 'Viewer');
  const presenter = await joinBot(ctx, id, 'Presenter');
  const muted = notes<{ source: string; locked: boolean }>(presenter, 'mutedByHost');
  const s = await share(presenter, true);
  const watched = await Promise.all([realHost, hostBot].flatMap((r) => [receiving(r, s.screen!.id, 'the screen'), receiving(r, s.audio!.id, 'the screen audio')]));
  const cameraId = await waitFor('the camera producer', () => [...hostBot.remote.values()].find((t) => t.peerId === presenter.peerId && t.kind === 'video' && t.producerId !== s.screen!.id)?.producerId);
  const camera = await receiving(hostBot, cameraId, 'the camera');

  await request(realHost.socket, 'muteParticipant', { peerId: presenter.peerId, source: 'screen' });
  await waitFor('every screen track closed at every receiver', () => watched.every((t) => t.closed), 10_000);
  assert.equal(screenProducers(ctx, id, presenter.peerId), [], 'no screen producer left on the server');
  await waitFor('the presenter is told', () => muted.length === 1);
  assert.equal(muted[0], { source: 'screen', locked: false });
  // The camera is not the screen: it still flows (frames advance after the stop).
  const framesAtStop = camera.frames;
  await waitFor('the camera still decodes', () => camera.frames > framesAtStop + 5, 10_000);
  assert.not.ok(camera.closed);

  // Not locked: the presenter shares again and everyone receives it.
  s.close();
  const again = await share(presenter);
  await receiving(hostBot, again.screen!.id, 'the new screen');
  await receiving(realHost, again.screen!.id, 'the new screen');
});

screens('MOD-2 over the admin API: stop with lock → MEDIA_LOCKED when sharing again; …/unlock lifts it and the share goes through', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'lock screen' });
  const viewer = await joinBot(ctx, id, 'Viewer', (b) => (b.publishVideo = false));
  const presenter = await joinBot(ctx, id, 'Presenter', (b) => (b.publishVideo = false));
  const muted = notes<{ source: string; locked: boolean }>(presenter, 'mutedByHost');
  const controls = notes<RoomControls>(presenter, 'roomControls');
  const s = await share(presenter);
  const track = await receiving(viewer, s.screen!.id, 'the screen');
  const base = `/api/rooms/${id}/participants/${presenter.peerId}`;

  assert.is((await admin(srv, 'POST', `${base}/mute`, { source: 'screen', lock: true })).status, 204);
  await waitFor('the viewer loses the screen', () => track.closed, 10_000);
  await waitFor('the presenter is told, locked', () => muted.length === 1);
  assert.equal(muted[0], { source: 'screen', locked: true });
  await waitFor('the presenter sees its screen locked', () => controls.at(-1)?.myLocks.includes('screen'));
  s.close();
  assert.is(await outcome(ScreenShare.start(presenter)), 'MEDIA_LOCKED');
  assert.equal(screenProducers(ctx, id, presenter.peerId), []);
  // The lock is on the screen only: the microphone still unmutes.
  await presenter.setMicMuted(true);
  assert.is(await outcome(presenter.setMicMuted(false)), 'accepted');

  // Errors of …/unlock: bad source, unknown participant; nothing lifted by them.
  assert.equal(await codeOf(admin(srv, 'POST', `${base}/unlock`, { source: 'keyboard' })), [400, 'BAD_REQUEST']);
  assert.equal(await codeOf(admin(srv, 'POST', `${base}/unlock`, {})), [400, 'BAD_REQUEST']);
  assert.equal(await codeOf(admin(srv, 'POST', `/api/rooms/${id}/participants/nobody/unlock`, { source: 'screen' })), [404, 'NOT_FOUND']);
  assert.equal(await codeOf(admin(srv, 'POST', `/api/rooms/nowhere/participants/${presenter.peerId}/unlock`, { source: 'screen' })), [404, 'ROOM_NOT_FOUND']);
  const noKey = await fetch(`${srv.url}${base}/unlock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: 'screen' }) });
  assert.is(noKey.status, 401);
  assert.is(await outcome(ScreenShare.start(presenter)), 'MEDIA_LOCKED', 'still locked after the refused unlocks');

  assert.is((await admin(srv, 'POST', `${base}/unlock`, { source: 'screen' })).status, 204);
  await waitFor('the presenter sees the lock lifted', () => controls.at(-1)?.myLocks.length === 0);
  const again = await share(presenter);
  await receiving(viewer, again.screen!.id, 'the screen shared after the unlock');
});

screens('SIG-9: one screen at a time by default: the second is SCREEN_SHARE_BUSY; once the first stops, it goes through', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'one screen' });
  const first = await joinBot(ctx, id, 'First', (b) => (b.publishVideo = false));
  const second = await joinBot(ctx, id, 'Second', (b) => (b.publishVideo = false));
  const s1 = await share(first);
  await receiving(second, s1.screen!.id, 'the first screen');
  assert.is(await outcome(ScreenShare.start(second)), 'SCREEN_SHARE_BUSY');
  assert.equal(screenProducers(ctx, id, second.peerId), [], 'the refused share left nothing on the server');
  await s1.stop();
  await waitFor('the first screen is gone', () => screenProducers(ctx, id, first.peerId).length === 0);
  const s2 = await share(second);
  await receiving(first, s2.screen!.id, 'the second screen');
  // The error as the client sees it: a code, and who shares as a parameter for the UI's words (ERR-1).
  const third = await SigPeer.join(srv, id, 'Third');
  sigs.push(third);
  const refused = await request(third.socket, 'createTransport', { direction: 'send' })
    .then(({ id: transportId }) => request(third.socket, 'produce', { transportId, kind: 'video', rtpParameters: fakeRtp('video', 3000), source: 'screen', paused: false }))
    .then(
      () => 'accepted',
      (e: { error?: { code: string; params?: unknown } }) => `${e.error?.code}: ${JSON.stringify(e.error?.params)}`,
    );
  assert.is(refused, 'SCREEN_SHARE_BUSY: {"name":"Second"}');
});

screens('SIG-9: maxScreenShares 2 lets two share and refuses the third; PATCH lowers and raises the limit of the live room', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'two screens', maxScreenShares: 2 });
  const peers = await Promise.all(['A', 'B', 'C'].map((n) => SigPeer.join(srv, id, n)));
  sigs.push(...peers);
  const [a, b, c] = peers;
  assert.is(await outcome(a.produce('screen', 1001)), 'accepted');
  assert.is(await outcome(b.produce('screen', 1002)), 'accepted');
  assert.is(await outcome(c.produce('screen', 1003)), 'SCREEN_SHARE_BUSY');
  // A real client sees both screens of the room.
  const viewer = await joinBot(ctx, id, 'Viewer', (bot) => (bot.publishVideo = false));
  assert.is([...viewer.peers.values()].flatMap((p) => p.producers).filter((p) => p.source === 'screen').length, 2);

  // Lowered to 1 while two share: nobody is cut off, and nobody else may start.
  assert.is((await admin(srv, 'PATCH', `/api/rooms/${id}`, { maxScreenShares: 1 })).status, 200);
  assert.is(await outcome(c.produce('screen', 1004)), 'SCREEN_SHARE_BUSY');
  assert.is([a, b].map((p) => screenProducers(ctx, id, p.peerId).length).join(','), '1,1', 'both shares go on');
  // Raised to 3: the third goes through at once.
  assert.is((await admin(srv, 'PATCH', `/api/rooms/${id}`, { maxScreenShares: 3 })).status, 200);
  assert.is(await outcome(c.produce('screen', 1005)), 'accepted');
});

screens('SIG-9: two shares asked at the same instant in a one-screen room: exactly one is accepted', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'race' });
  const peers = await Promise.all(['A', 'B'].map((n) => SigPeer.join(srv, id, n)));
  sigs.push(...peers);
  const transports = await Promise.all(peers.map((p) => request(p.socket, 'createTransport', { direction: 'send' })));
  const results = await Promise.all(
    peers.map((p, i) => outcome(request(p.socket, 'produce', { transportId: transports[i].id, kind: 'video', rtpParameters: fakeRtp('video', 2000 + i), source: 'screen', paused: false }))),
  );
  assert.equal([...results].sort(), ['SCREEN_SHARE_BUSY', 'accepted']);
  assert.is(peers.flatMap((p) => screenProducers(ctx, id, p.peerId)).length, 1, 'one screen producer in the room');
});

async function codeOf(p: Promise<{ status: number; code: string }>): Promise<[number, string]> {
  const r = await p;
  return [r.status, r.code];
}

exitAfterRun(screens);
