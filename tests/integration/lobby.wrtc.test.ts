import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RoomControls } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin, outcome, SigPeer } from '../helpers/moderationHelpers.js';
import { request, roundTrip } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

/** LOBBY-1…5, MOD-5 and ROOM-1 end to end with real WebRTC clients. */
interface Ctx {
  srv?: TestServer;
  bots: WrtcBot[];
  peers: SigPeer[];
}
const lobby = suite<Ctx>('lobby, lock, capacity', { bots: [], peers: [] });

lobby.before(async (ctx) => {
  ctx.srv = await startTestServer();
});
lobby.after.each((ctx) => {
  for (const b of ctx.bots) b.close();
  for (const p of ctx.peers) p.close();
  ctx.bots = [];
  ctx.peers = [];
});
lobby.after(async (ctx) => {
  await ctx.srv?.close();
});

function bot(ctx: Ctx, name: string): WrtcBot {
  const b = new WrtcBot(name);
  ctx.bots.push(b);
  return b;
}
const decodes = (receiver: WrtcBot, sender: WrtcBot) => receiver.tracksFrom(sender.peerId).some((t) => t.kind === 'video' && t.frames > 3);

lobby('LOBBY-1…3: a waiting guest gets no peers and no media; the host sees it and admits it; then media flows both ways', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'lobby' });
  const host = bot(ctx, 'Host');
  const hostControls: RoomControls[] = [];
  await host.join(srv.url, id, await srv.mintToken(id, 'Host', 'host'));
  host.socket.on('roomControls', (c: RoomControls) => hostControls.push(c));
  await request(host.socket, 'setLobby', { enabled: true });

  // A signaling-only knocker shows what a waiting session may do: nothing but wait.
  const knocker = await SigPeer.connect(srv, id, await srv.mintToken(id, 'Knocker'));
  ctx.peers.push(knocker);
  assert.is(await outcome(request(knocker.socket, 'join', {})), 'IN_LOBBY');
  assert.is(await outcome(request(knocker.socket, 'join', {})), 'IN_LOBBY', 'asking again changes nothing');
  assert.is(await outcome(request(knocker.socket, 'createTransport', { direction: 'recv' })), 'NOT_JOINED');
  assert.is(await outcome(request(knocker.socket, 'setHand', { raised: true })), 'NOT_JOINED');
  await waitFor('the host sees the knocker', () => hostControls.at(-1)?.lobby.some((l) => l.displayName === 'Knocker'));

  // A real client waits in the lobby, then is admitted.
  const guest = bot(ctx, 'Guest');
  guest.waitInLobby = true;
  const joining = guest.join(srv.url, id, await srv.mintToken(id, 'Guest'));
  const entry = await waitFor('the host sees the guest', () => hostControls.at(-1)?.lobby.find((l) => l.displayName === 'Guest'));
  // Barriers: a later answered request on each socket; whatever the guest's knock sent them has arrived.
  await roundTrip(host.socket);
  await roundTrip(knocker.socket);
  assert.is(host.peers.size, 0, 'the host has no peer yet');
  assert.is(knocker.notes.filter((n) => ['peerJoined', 'newProducer', 'roomControls'].includes(n.name)).length, 0, 'a waiting session hears nothing of the room');
  await request(host.socket, 'admitFromLobby', { id: entry.id });
  await joining;
  assert.ok(guest.wasInLobby);
  await waitFor('media both ways', () => decodes(guest, host) && decodes(host, guest), 15_000);
  await waitFor('the guest left the lobby list', () => !hostControls.at(-1)?.lobby.some((l) => l.displayName === 'Guest'));

  // The knocker disconnects: it leaves the lobby list.
  knocker.close();
  await waitFor('the knocker left the lobby list', () => hostControls.at(-1)?.lobby.length === 0);
});

lobby('LOBBY-3, LOBBY-4: a refused guest is told and disconnected; turning the lobby off admits everyone waiting; hosts skip it', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'refuse' });
  assert.is((await admin(srv, 'POST', `/api/rooms/${id}/lobby`, { enabled: true })).status, 204, 'set before anyone is in');
  const host = await SigPeer.join(srv, id, 'Host', 'host');
  const refused = await SigPeer.connect(srv, id, await srv.mintToken(id, 'Unwanted'));
  const waiting = await Promise.all(['W1', 'W2'].map(async (n) => SigPeer.connect(srv, id, await srv.mintToken(id, n))));
  ctx.peers.push(host, refused, ...waiting);
  for (const p of [refused, ...waiting]) assert.is(await outcome(request(p.socket, 'join', {})), 'IN_LOBBY');
  const list = await waitFor('three waiting', () => {
    const c = host.last('roomControls');
    return c && c.lobby.length === 3 ? c.lobby : null;
  });
  const gone = new Promise<void>((resolve) => refused.socket.once('disconnect', () => resolve()));
  await request(host.socket, 'refuseFromLobby', { id: list.find((l) => l.displayName === 'Unwanted')!.id });
  await gone;
  assert.equal(refused.last('closing' as never), { error: { code: 'LOBBY_REFUSED', message: 'a host did not let you in' } });

  await request(host.socket, 'setLobby', { enabled: false });
  for (const w of waiting) {
    await waitFor(`${w} admitted`, () => w.count('lobbyAdmitted') === 1);
    assert.is(await outcome(request(w.socket, 'join', {})), 'accepted');
  }
  // Refusing or admitting an unknown id is NOT_FOUND.
  assert.is(await outcome(request(host.socket, 'admitFromLobby', { id: 'nobody' })), 'NOT_FOUND');
});

lobby('MOD-5: a locked room refuses new participants (ROOM_LOCKED) but not hosts; unlocked, they join with media', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'lock' });
  const host = bot(ctx, 'Host');
  await host.join(srv.url, id, await srv.mintToken(id, 'Host', 'host'));
  await request(host.socket, 'setRoomLock', { locked: true });
  const late = bot(ctx, 'Late');
  const token = await srv.mintToken(id, 'Late');
  assert.is(await outcome(late.join(srv.url, id, token)), 'ROOM_LOCKED');
  const cohost = bot(ctx, 'Co-host');
  await cohost.join(srv.url, id, await srv.mintToken(id, 'Co-host', 'host'));
  await request(host.socket, 'setRoomLock', { locked: false });
  const again = bot(ctx, 'Late again');
  await again.join(srv.url, id, token);
  await waitFor('the late participant decodes both hosts', () => decodes(again, host) && decodes(again, cohost), 15_000);
});

lobby('ROOM-1: with real clients, the join after maxParticipants gets ROOM_FULL; when one leaves, it gets in with media', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'capacity', maxParticipants: 2 });
  const a = bot(ctx, 'A');
  const b = bot(ctx, 'B');
  await a.join(srv.url, id, await srv.mintToken(id, 'A'));
  await b.join(srv.url, id, await srv.mintToken(id, 'B'));
  const token = await srv.mintToken(id, 'C');
  assert.is(await outcome(bot(ctx, 'C').join(srv.url, id, token)), 'ROOM_FULL');
  await a.leave();
  await waitFor('a seat is free', () => srv.server.registry.get(id)?.peerCount === 1);
  const c = bot(ctx, 'C again');
  await c.join(srv.url, id, token);
  await waitFor('B and C see each other', () => decodes(b, c) && decodes(c, b), 15_000);
});

exitAfterRun(lobby);
