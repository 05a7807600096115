import * as assert from 'uvu/assert';
import type { RoomControls } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin, outcome } from '../helpers/moderationHelpers.js';
import { connectSocket, request } from '../helpers/signalingClient.js';
import { waitFor } from '../helpers/waitFor.js';
import { controlAdvances, WrtcBot, type RemoteTrackStats } from '../helpers/WrtcBot.js';
import { wrtcSuite, type WrtcSuiteContext } from '../helpers/wrtcSuite.js';

/**
 * MOD-1…6, MOD-8 with real WebRTC clients: a host mutes, stops, locks, removes; the media really
 * stops for everyone (bytes and decoded frames are measured on the receiving bots).
 */
type Ctx = WrtcSuiteContext;
const mod = wrtcSuite('moderation');
mod.after.each((ctx) => {
  for (const b of ctx.bots) b.close();
  ctx.bots = [];
});

async function meeting(ctx: Ctx, roomId: string, people: Array<{ name: string; role?: string; identity?: string }>): Promise<WrtcBot[]> {
  const srv = ctx.srv!;
  const bots: WrtcBot[] = [];
  for (const p of people) {
    const bot = new WrtcBot(p.name);
    ctx.bots.push(bot);
    bots.push(bot);
    const token = p.identity
      ? (await srv.server.tokens.mint({ roomId, name: p.name, role: (p.role ?? 'participant') as 'participant', identity: p.identity })).token
      : await srv.mintToken(roomId, p.name, p.role);
    await bot.join(srv.url, roomId, token);
  }
  await waitFor(
    'everyone decodes everyone',
    () => bots.every((b) => bots.every((o) => o === b || b.tracksFrom(o.peerId).some((t) => t.kind === 'video' && t.frames > 3))),
    20_000,
  );
  return bots;
}

const serverPeer = (ctx: Ctx, roomId: string, peerId: string) => [...ctx.srv!.server.registry.get(roomId)!.peers()].find((p) => p.id === peerId)!;
const trackFrom = (receiver: WrtcBot, sender: WrtcBot, kind: 'audio' | 'video') => receiver.tracksFrom(sender.peerId).find((t) => t.kind === kind);
const notes = (bot: WrtcBot, name: string) => {
  const got: unknown[] = [];
  bot.socket.on(name, (d: unknown) => got.push(d));
  return got;
};
/**
 * Bytes a receiver gets on one consumer while `control` (a video it receives from someone else)
 * decodes 10 frames, after 5 frames for packets already in flight: a window measured by the
 * media path itself, not by the clock.
 */
async function bytesWhile(receiver: WrtcBot, consumerId: string, control: RemoteTrackStats): Promise<number> {
  await controlAdvances(control, 5, 'in-flight packets');
  const a = await receiver.bytesReceived(consumerId);
  await controlAdvances(control, 10, 'measure window');
  return (await receiver.bytesReceived(consumerId)) - a;
}
/** Waits until one consumer has received `bytes` more bytes. */
async function flows(receiver: WrtcBot, consumerId: string, bytes: number, what: string): Promise<void> {
  const a = await receiver.bytesReceived(consumerId);
  await waitFor(what, async () => (await receiver.bytesReceived(consumerId)) - a > bytes, 10_000, 100);
}

mod('MOD-2: a host mutes a microphone (others stop receiving it), the participant unmutes; locked, it may not until unlocked', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'mute' });
  const [host, p1, p2] = await meeting(ctx, id, [{ name: 'Host', role: 'host' }, { name: 'P1' }, { name: 'P2' }]);
  const mutedNotes = notes(p1, 'mutedByHost');
  const pausedAtP2 = notes(p2, 'producerPaused');
  const audio = trackFrom(p2, p1, 'audio')!;
  const control = trackFrom(p2, host, 'video')!;
  await flows(p2, audio.consumerId, 1000, 'P2 receives P1 audio before');

  await request(host.socket, 'muteParticipant', { peerId: p1.peerId, source: 'microphone' });
  await waitFor('P2 told P1 is paused', () => pausedAtP2.length === 1);
  await waitFor('P1 told it was muted', () => mutedNotes.length === 1);
  assert.equal(mutedNotes[0], { source: 'microphone', locked: false });
  const whileMuted = await bytesWhile(p2, audio.consumerId, control);
  assert.ok(whileMuted < 200, `no audio bytes from a muted microphone (${whileMuted})`);
  // Unlocked: P1 unmutes itself.
  await request(p1.socket, 'resumeProducer', { producerId: audio.producerId });
  await flows(p2, audio.consumerId, 1000, 'audio flows again after unmuting');

  // Locked: P1 may not unmute until the host unlocks.
  await request(host.socket, 'muteParticipant', { peerId: p1.peerId, source: 'microphone', lock: true });
  await waitFor('locked mute notified', () => (mutedNotes[1] as { locked?: boolean } | undefined)?.locked === true);
  assert.is(await outcome(request(p1.socket, 'resumeProducer', { producerId: audio.producerId })), 'MEDIA_LOCKED');
  const controls = notes(p1, 'roomControls') as RoomControls[];
  await request(host.socket, 'unlockParticipant', { peerId: p1.peerId, source: 'microphone' });
  await waitFor('P1 sees its lock lifted', () => controls.at(-1)?.myLocks.length === 0);
  assert.is(await outcome(request(p1.socket, 'resumeProducer', { producerId: audio.producerId })), 'accepted');
});

mod('MOD-2, MOD-3: stopping a camera closes it for everyone; mute everyone pauses every microphone but the host\'s', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'stop' });
  const [host, p1, p2] = await meeting(ctx, id, [{ name: 'Host', role: 'host' }, { name: 'P1' }, { name: 'P2' }]);
  const video = trackFrom(host, p2, 'video')!;
  const camera = video.producerId;
  await request(host.socket, 'muteParticipant', { peerId: p2.peerId, source: 'camera' });
  await waitFor('host and P1 lose P2 video', () => !trackFrom(host, p2, 'video') && !trackFrom(p1, p2, 'video'));
  assert.not.ok(serverPeer(ctx, id, p2.peerId).media.producers.has(camera), 'the camera producer is closed on the server');
  const frames = video.frames;
  await controlAdvances(trackFrom(host, p1, 'video')!, 15, "P1's video at the host");
  assert.is(video.frames, frames, 'no more frames from a stopped camera');
  assert.ok(trackFrom(host, p2, 'audio'), 'its microphone still flows');

  const muted = await request(host.socket, 'muteAll', {});
  assert.is(muted.muted, 2);
  const info = (await admin(srv, 'GET', `/api/rooms/${id}/participants`)).json as { peers: Array<{ id: string; producers: Array<{ kind: string; paused: boolean }> }> };
  for (const peer of info.peers) {
    const mic = peer.producers.find((p) => p.kind === 'audio')!;
    assert.is(mic.paused, peer.id !== host.peerId, `microphone of ${peer.id}`);
  }
});

mod('MOD-4: a removed participant\'s producers and every consumer of them close, decoding stops for everyone; the same token or identity cannot rejoin', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'remove' });
  const [host, p1, p2] = await meeting(ctx, id, [
    { name: 'Host', role: 'host' },
    { name: 'Mallory', identity: 'mallory@city' },
    { name: 'P2' },
  ]);
  const fromMallory = [host, p2].flatMap((b) => b.tracksFrom(p1.peerId));
  assert.is(fromMallory.length, 4, 'host and P2 receive Mallory audio and video');
  const producers = [...serverPeer(ctx, id, p1.peerId).media.producers.values()];
  const receivers = [host, p2].map((b) => serverPeer(ctx, id, b.peerId));
  await request(host.socket, 'removeParticipant', { peerId: p1.peerId });
  await waitFor('every track from Mallory closed at every receiver', () => fromMallory.every((t) => t.closed), 10_000, 10);
  assert.ok(producers.every((p) => p.closed), "Mallory's producers are closed on the server");
  for (const r of receivers) {
    for (const t of fromMallory) assert.not.ok(r.media.consumers.has(t.consumerId), `no server consumer ${t.consumerId} left at ${r.id}`);
  }
  // Frame and chunk counters frozen: sampled once a frame already inside a closed decoder has had
  // time to come out (the others' media moved on), then sampled again once it has moved on more.
  await controlAdvances(trackFrom(host, p2, 'video')!, 3, "P2's video at the host");
  const frozen = fromMallory.map((t) => t.frames);
  await controlAdvances(trackFrom(host, p2, 'video')!, 15, "P2's video at the host");
  await controlAdvances(trackFrom(p2, host, 'video')!, 5, "the host's video at P2");
  assert.equal(fromMallory.map((t) => t.frames), frozen, 'nothing more decoded from Mallory');
  await waitFor('Mallory told why', () => p1.closedBy === 'REMOVED');
  assert.ok(!host.peers.has(p1.peerId) && !p2.peers.has(p1.peerId), 'peerLeft reached the others');

  // The same token: refused at join. Another token for the same identity: refused too.
  const sameToken = await connectSocket(srv.url, { token: (p1 as unknown as { socket: { auth: { token: string } } }).socket.auth.token, roomId: id });
  assert.is(await outcome(request(sameToken, 'join', {})), 'REMOVED');
  sameToken.close();
  const again = (await srv.server.tokens.mint({ roomId: id, name: 'Mallory2', role: 'participant', identity: 'mallory@city' })).token;
  const s2 = await connectSocket(srv.url, { token: again, roomId: id });
  assert.is(await outcome(request(s2, 'join', {})), 'REMOVED');
  s2.close();
  // Someone else still joins, and the meeting goes on.
  const s3 = await connectSocket(srv.url, { token: await srv.mintToken(id, 'Newcomer'), roomId: id });
  assert.is(await outcome(request(s3, 'join', {})), 'accepted');
  s3.close();
  await controlAdvances(trackFrom(host, p2, 'video')!, 5, 'host still decodes P2');
});

mod('MOD-1, MOD-9: raised hands form a queue shown to hosts; a host lowers a hand', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'hands' });
  const host = await connectSocket(srv.url, { token: await srv.mintToken(id, 'Host', 'host'), roomId: id });
  const controls: RoomControls[] = [];
  host.on('roomControls', (c: RoomControls) => controls.push(c));
  await request(host, 'join', {});
  const sockets = [host];
  const ids: string[] = [];
  for (const name of ['First', 'Second', 'Third']) {
    const s = await connectSocket(srv.url, { token: await srv.mintToken(id, name, name === 'Third' ? 'attendee' : 'participant'), roomId: id });
    sockets.push(s);
    ids.push((await request(s, 'join', {})).peerId);
  }
  await request(sockets[2], 'setHand', { raised: true });
  await request(sockets[3], 'setHand', { raised: true });
  await request(sockets[1], 'setHand', { raised: true });
  await waitFor('three hands', () => controls.at(-1)?.hands.length === 3);
  assert.equal(controls.at(-1)!.hands.map((h) => h.displayName), ['Second', 'Third', 'First'], 'in the order raised');
  await request(sockets[2], 'setHand', { raised: false });
  await request(host, 'setHand', { raised: false, peerId: ids[2] });
  await waitFor('one hand left', () => controls.at(-1)?.hands.length === 1);
  assert.is(controls.at(-1)!.hands[0].displayName, 'First');
  // Leaving lowers the hand.
  sockets[1].close();
  await waitFor('no hand left', () => controls.at(-1)?.hands.length === 0);
  for (const s of sockets) s.close();
});

mod('MOD-8: the admin API moderates a live room (participants, mute, role, lock, remove) with the admin key only', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'admin api' });
  const [p1, p2] = await meeting(ctx, id, [{ name: 'P1' }, { name: 'P2' }]);
  const list = await admin(srv, 'GET', `/api/rooms/${id}/participants`);
  assert.is(list.status, 200);
  assert.equal(list.json.peers.map((p: { displayName: string }) => p.displayName).sort(), ['P1', 'P2']);
  const base = `/api/rooms/${id}/participants/${p1.peerId}`;
  assert.is((await admin(srv, 'POST', `${base}/mute`, { source: 'camera' })).status, 204);
  await waitFor('P2 loses P1 video', () => !trackFrom(p2, p1, 'video'));
  assert.is((await admin(srv, 'POST', `${base}/role`, { role: 'attendee' })).status, 204);
  await waitFor('P2 loses P1 audio (demoted)', () => !trackFrom(p2, p1, 'audio'));
  assert.is((await admin(srv, 'POST', `/api/rooms/${id}/mute-all`, {})).json.muted, 1);
  assert.is((await admin(srv, 'POST', `/api/rooms/${id}/lock`, { locked: true })).status, 204);
  const late = await connectSocket(srv.url, { token: await srv.mintToken(id, 'Late'), roomId: id });
  assert.is(await outcome(request(late, 'join', {})), 'ROOM_LOCKED');
  late.close();
  assert.is((await admin(srv, 'DELETE', base)).status, 204);
  await waitFor('P1 removed', () => p1.closedBy === 'REMOVED');
  // Errors: unknown peer, bad body, unknown room, empty room, no key, wrong key.
  assert.is((await admin(srv, 'DELETE', `/api/rooms/${id}/participants/nobody`)).code, 'NOT_FOUND');
  assert.is((await admin(srv, 'POST', `/api/rooms/${id}/participants/${p2.peerId}/mute`, { source: 'keyboard' })).code, 'BAD_REQUEST');
  assert.is((await admin(srv, 'POST', `/api/rooms/${id}/participants/${p2.peerId}/role`, { role: 'host' })).code, 'BAD_REQUEST');
  assert.is((await admin(srv, 'POST', '/api/rooms/nope/lock', { locked: true })).code, 'ROOM_NOT_FOUND');
  const empty = await srv.createRoom({ name: 'empty' });
  const emptyRoom = await admin(srv, 'POST', `/api/rooms/${empty.id}/mute-all`, {});
  assert.is(`${emptyRoom.status} ${emptyRoom.code}`, '404 NOT_FOUND', 'nobody is in the room');
  const noKey = await fetch(`${srv.url}/api/rooms/${id}/participants/${p2.peerId}`, { method: 'DELETE' });
  assert.is(noKey.status, 401);
  assert.is(((await noKey.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
  const wrongKey = await fetch(`${srv.url}/api/rooms/${id}/participants/${p2.peerId}`, { method: 'DELETE', headers: { authorization: 'Bearer not-the-admin-key' } });
  assert.is(wrongKey.status, 403);
  assert.is(((await wrongKey.json()) as { error: { code: string } }).error.code, 'FORBIDDEN');
  assert.ok(!p2.closedBy, 'P2 is still in the room');
});

exitAfterRun(mod);
