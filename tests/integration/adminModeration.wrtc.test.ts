import * as assert from 'uvu/assert';
import type { RoomControls } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin, outcome, SigPeer } from '../helpers/moderationHelpers.js';
import { request } from '../helpers/signalingClient.js';
import { waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';
import { joinBot, wrtcSuite } from '../helpers/wrtcSuite.js';

/**
 * The admin moderation API (MOD-8, the intranet portal) on what moderation.wrtc.test.ts leaves
 * out: `…/lobby/:entryId/admit` and `/refuse` (LOBBY-2, LOBBY-3; they work with no host in the
 * room) and `…/participants/:peerId/unlock` (MOD-2), with real WebRTC clients.
 */
const mod = wrtcSuite('admin moderation API: lobby and unlock');
const sigs: SigPeer[] = [];
mod.after.each((ctx) => {
  for (const b of ctx.bots.splice(0)) b.close();
  for (const p of sigs.splice(0)) p.close();
});

const decodes = (receiver: WrtcBot, sender: WrtcBot) => receiver.tracksFrom(sender.peerId).some((t) => t.kind === 'video' && t.frames > 3);
const lobbyOf = async (srv: Parameters<typeof admin>[0], roomId: string) =>
  ((await admin(srv, 'GET', `/api/rooms/${roomId}/participants`)).json.controls as RoomControls).lobby;

mod('LOBBY-2 over the admin API: with nobody in the room, the portal sees who waits and admits them; they meet with media', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'portal lobby' });
  assert.is((await admin(srv, 'POST', `/api/rooms/${id}/lobby`, { enabled: true })).status, 204);
  assert.is((await admin(srv, 'GET', `/api/rooms/${id}/participants`)).json.controls.lobbyEnabled, true);

  const knock = (name: string) => {
    const bot = new WrtcBot(name);
    bot.waitInLobby = true;
    ctx.bots.push(bot);
    return { bot, joined: srv.mintToken(id, name).then((token) => bot.join(srv.url, id, token)) };
  };
  const ada = knock('Ada');
  const adaEntry = await waitFor('the portal sees Ada waiting', async () => (await lobbyOf(srv, id)).find((e) => e.displayName === 'Ada'));
  assert.is(srv.server.registry.get(id)?.peerCount ?? 0, 0, 'nobody is in the room while Ada waits');
  assert.is((await admin(srv, 'POST', `/api/rooms/${id}/lobby/${adaEntry.id}/admit`)).status, 204);
  await ada.joined;
  assert.ok(ada.bot.wasInLobby, 'Ada went through the lobby');
  assert.equal(await lobbyOf(srv, id), [], 'the admitted entry left the list');
  const again = await admin(srv, 'POST', `/api/rooms/${id}/lobby/${adaEntry.id}/admit`);
  assert.equal([again.status, again.code], [404, 'NOT_FOUND'], 'an entry is admitted once');

  const grace = knock('Grace');
  const graceEntry = await waitFor('the portal sees Grace waiting', async () => (await lobbyOf(srv, id)).find((e) => e.displayName === 'Grace'));
  assert.is(ada.bot.peers.size, 0, 'Ada does not see Grace while she waits');
  assert.is((await admin(srv, 'POST', `/api/rooms/${id}/lobby/${graceEntry.id}/admit`)).status, 204);
  await grace.joined;
  await waitFor('Ada and Grace decode each other', () => decodes(ada.bot, grace.bot) && decodes(grace.bot, ada.bot), 20_000);
});

mod('LOBBY-3 over the admin API: a refused knocker is told LOBBY_REFUSED and disconnected, and never entered; exact error codes', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'portal refuse' });
  assert.is((await admin(srv, 'POST', `/api/rooms/${id}/lobby`, { enabled: true })).status, 204);
  const host = await SigPeer.join(srv, id, 'Host', 'host');
  const unwanted = await SigPeer.connect(srv, id, await srv.mintToken(id, 'Unwanted'));
  sigs.push(host, unwanted);
  assert.is(await outcome(request(unwanted.socket, 'join', {})), 'IN_LOBBY');
  const entry = await waitFor('the portal sees the knocker', async () => (await lobbyOf(srv, id)).find((e) => e.displayName === 'Unwanted'));

  // Refusals that refuse nothing: bad id, unknown id, unknown room, no key.
  const base = `/api/rooms/${id}/lobby`;
  const tooLong = await admin(srv, 'POST', `${base}/${'e'.repeat(65)}/refuse`);
  assert.equal([tooLong.status, tooLong.code], [400, 'BAD_REQUEST']);
  const unknown = await admin(srv, 'POST', `${base}/nobody/refuse`);
  assert.equal([unknown.status, unknown.code], [404, 'NOT_FOUND']);
  const noRoom = await admin(srv, 'POST', `/api/rooms/nowhere/lobby/${entry.id}/refuse`);
  assert.equal([noRoom.status, noRoom.code], [404, 'ROOM_NOT_FOUND']);
  for (const action of ['admit', 'refuse']) {
    const res = await fetch(`${srv.url}${base}/${entry.id}/${action}`, { method: 'POST' });
    assert.is(res.status, 401, `${action} without the admin key`);
    const wrong = await fetch(`${srv.url}${base}/${entry.id}/${action}`, { method: 'POST', headers: { authorization: `Bearer ${'w'.repeat(32)}` } });
    assert.is(wrong.status, 403, `${action} with a wrong key`);
  }
  assert.equal((await lobbyOf(srv, id)).map((e) => e.id), [entry.id], 'still waiting after the refused calls');

  const gone = new Promise<void>((resolve) => unwanted.socket.once('disconnect', () => resolve()));
  assert.is((await admin(srv, 'POST', `${base}/${entry.id}/refuse`)).status, 204);
  await gone;
  assert.equal(unwanted.last('closing' as never), { error: { code: 'LOBBY_REFUSED', message: 'a host did not let you in' } });
  assert.equal(await lobbyOf(srv, id), []);
  // Barrier: a later knocker is admitted and the host sees it join; the refused one never joined.
  const later = await SigPeer.connect(srv, id, await srv.mintToken(id, 'Later'));
  sigs.push(later);
  assert.is(await outcome(request(later.socket, 'join', {})), 'IN_LOBBY');
  const laterEntry = await waitFor('the portal sees the later knocker', async () => (await lobbyOf(srv, id)).find((e) => e.displayName === 'Later'));
  assert.is((await admin(srv, 'POST', `${base}/${laterEntry.id}/admit`)).status, 204);
  await waitFor('the later knocker is admitted', () => later.count('lobbyAdmitted') === 1);
  assert.is(await outcome(request(later.socket, 'join', {})), 'accepted');
  await waitFor('the host sees the later one join', () => host.notes.some((n) => n.name === 'peerJoined'));
  const joinedNames = host.notes.filter((n) => n.name === 'peerJoined').map((n) => (n.data as { peer: { displayName: string } }).peer.displayName);
  assert.equal(joinedNames, ['Later'], 'the refused knocker never entered the room');
});

mod('MOD-2 over the admin API: a locked mute keeps a microphone off (MEDIA_LOCKED) until …/unlock; then its audio flows again', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'portal unlock' });
  const speaker = await joinBot(ctx, id, 'Speaker', (b) => (b.publishVideo = false));
  const listener = await joinBot(ctx, id, 'Listener', (b) => (b.publishVideo = false));
  const audio = await waitFor('the listener hears the speaker', () => listener.tracksFrom(speaker.peerId).find((t) => t.kind === 'audio' && t.frames > 10), 15_000);
  const controls: RoomControls[] = [];
  speaker.socket.on('roomControls', (c: RoomControls) => controls.push(c));
  const base = `/api/rooms/${id}/participants/${speaker.peerId}`;

  assert.is((await admin(srv, 'POST', `${base}/mute`, { source: 'microphone', lock: true })).status, 204);
  await waitFor('the listener pauses the muted microphone', () => audio.paused);
  await waitFor('the speaker sees its microphone locked', () => controls.at(-1)?.myLocks.includes('microphone'));
  assert.is(await outcome(speaker.setMicMuted(false)), 'MEDIA_LOCKED');
  const producer = [...srv.server.registry.get(id)!.getPeer(speaker.peerId)!.media.producers.values()].find((p) => p.kind === 'audio')!;
  assert.ok(producer.paused, 'the server keeps the microphone paused');

  // Unlocking another source lifts nothing.
  assert.is((await admin(srv, 'POST', `${base}/unlock`, { source: 'camera' })).status, 204);
  assert.is(await outcome(speaker.setMicMuted(false)), 'MEDIA_LOCKED', 'unlocking the camera does not unlock the microphone');

  assert.is((await admin(srv, 'POST', `${base}/unlock`, { source: 'microphone' })).status, 204);
  await waitFor('the speaker sees the lock lifted', () => controls.at(-1)?.myLocks.length === 0);
  assert.ok(producer.paused, 'unlocking does not unmute by itself');
  assert.is(await outcome(speaker.setMicMuted(false)), 'accepted');
  await waitFor('the listener resumes the microphone', () => !audio.paused);
  const bytes = await listener.bytesReceived(audio.consumerId);
  await waitFor('audio bytes flow again', async () => (await listener.bytesReceived(audio.consumerId)) > bytes + 2000, 10_000);

  // Nobody in a room: …/unlock is NOT_FOUND.
  const empty = await srv.createRoom({ name: 'empty' });
  const res = await admin(srv, 'POST', `/api/rooms/${empty.id}/participants/${speaker.peerId}/unlock`, { source: 'microphone' });
  assert.equal([res.status, res.code], [404, 'NOT_FOUND']);
});

exitAfterRun(mod);
