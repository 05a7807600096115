import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Client } from '../helpers/CollabTestClient.js';
import { admin, outcome, SigPeer } from '../helpers/moderationHelpers.js';
import { request } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * MOD-10 in docs/spec/signaling.md over the real server: moderation set during a meeting (a
 * removal, a lock, a lobby, a media lock, a role a host gave, a removed guest's address) still
 * holds for a server restarted on the same DATA_DIR, with the tokens handed out before it; and a
 * moderation write the store cannot take is applied anyway and shows in /healthz.
 */
type Ctx = { srv?: TestServer; peers: SigPeer[]; clients: Client[] };
const restart = suite<Ctx>('moderation restart', { peers: [], clients: [] });

restart.after.each((ctx) => {
  for (const c of ctx.clients) c.destroy();
  for (const p of ctx.peers) p.close();
  ctx.clients = [];
  ctx.peers = [];
});
restart.after(async (ctx) => {
  await ctx.srv?.close();
  if (ctx.srv) fs.rmSync(ctx.srv.dataDir, { recursive: true, force: true });
});

const guestToken = async (srv: TestServer, roomId: string, name: string): Promise<string> => {
  const res = await fetch(`${srv.url}/api/rooms/${roomId}/guest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  assert.is(res.status, 200, 'a guest token');
  return ((await res.json()) as { token: string }).token;
};

/** Connects with `token` and sends `join`: the peer, and the join's outcome (or 'accepted'). */
const tryJoin = async (ctx: Ctx, roomId: string, token: string) => {
  const peer = await SigPeer.connect(ctx.srv!, roomId, token);
  ctx.peers.push(peer);
  let role = '';
  const code = await outcome(
    request(peer.socket, 'join', {}).then((joined) => {
      peer.peerId = joined.peerId;
      role = joined.role;
    }),
  );
  return { peer, code, role };
};

const board = async (ctx: Ctx, roomId: string, token: string): Promise<string> => {
  const client = new Client(ctx.srv!.url, roomId, token);
  ctx.clients.push(client);
  await client.synced();
  return client.authFailure ?? 'accepted';
};

restart('MOD-10: after a restart on the same DATA_DIR, removals, lock, lobby, media locks, given roles and removed guests\' addresses still hold', async (ctx) => {
  let srv = (ctx.srv = await startTestServer({}, { keepData: true }));
  const { id: meeting } = await srv.createRoom({ name: 'Moderated' });
  const { id: locked } = await srv.createRoom({ name: 'Locked' });
  const { id: lobby } = await srv.createRoom({ name: 'Lobby' });
  const { id: reopened } = await srv.createRoom({ name: 'Locked then unlocked' });
  const hostToken = await srv.mintToken(meeting, 'Host', 'host');
  const tokens = {
    mallory: await srv.mintToken(meeting, 'Mallory'),
    pat: await srv.mintToken(meeting, 'Pat'),
    ann: await srv.mintToken(meeting, 'Ann'),
    guest: await guestToken(srv, meeting, 'Guest'),
    bystander: await srv.mintToken(meeting, 'Bystander'),
    lockedOut: await srv.mintToken(locked, 'Late'),
    waiting: await srv.mintToken(lobby, 'Knocker'),
    reopened: await srv.mintToken(reopened, 'Welcome'),
  };

  // Before the restart: a host moderates a live meeting; other rooms are set through the admin API.
  const host = (await tryJoin(ctx, meeting, hostToken)).peer;
  const mallory = await tryJoin(ctx, meeting, tokens.mallory);
  const pat = await tryJoin(ctx, meeting, tokens.pat);
  const ann = await tryJoin(ctx, meeting, tokens.ann);
  const guest = await tryJoin(ctx, meeting, tokens.guest);
  assert.equal([mallory.code, pat.code, ann.code, guest.code], ['accepted', 'accepted', 'accepted', 'accepted']);
  await request(host.socket, 'removeParticipant', { peerId: mallory.peer.peerId });
  await request(host.socket, 'muteParticipant', { peerId: pat.peer.peerId, source: 'microphone', lock: true });
  await request(host.socket, 'setRole', { peerId: ann.peer.peerId, role: 'attendee' });
  await request(host.socket, 'removeParticipant', { peerId: guest.peer.peerId });
  await waitFor('both removed are told', () => mallory.peer.count('closing') === 1 && guest.peer.count('closing') === 1);
  assert.is((await admin(srv, 'POST', `/api/rooms/${locked}/lock`, { locked: true })).status, 204);
  assert.is((await admin(srv, 'POST', `/api/rooms/${lobby}/lobby`, { enabled: true })).status, 204);
  assert.is((await admin(srv, 'POST', `/api/rooms/${reopened}/lock`, { locked: true })).status, 204);
  assert.is((await admin(srv, 'POST', `/api/rooms/${reopened}/lock`, { locked: false })).status, 204);
  for (const p of ctx.peers) p.close();
  ctx.peers = [];

  await srv.close();
  srv = ctx.srv = await startTestServer({}, { dataDir: srv.dataDir });

  // The removed identity stays out, from the meeting and from the board (ACCESS-1).
  assert.is((await tryJoin(ctx, meeting, tokens.mallory)).code, 'REMOVED');
  assert.match(await board(ctx, meeting, tokens.mallory), 'REMOVED');
  // The media lock holds for the identity (MOD-2): an unpaused microphone is refused, and it is told.
  const patBack = await tryJoin(ctx, meeting, tokens.pat);
  assert.is(patBack.code, 'accepted');
  assert.is(await outcome(patBack.peer.produce('microphone', 3001)), 'MEDIA_LOCKED');
  await waitFor('Pat sees its lock', () => patBack.peer.last('roomControls')?.myLocks.includes('microphone'));
  assert.is(await outcome(patBack.peer.produce('camera', 3002)), 'accepted', 'only the locked source');
  // The role the host gave applies on rejoin (ACCESS-2): an attendee may not publish.
  const annBack = await tryJoin(ctx, meeting, tokens.ann);
  assert.equal([annBack.code, annBack.role], ['accepted', 'attendee']);
  assert.is(await outcome(annBack.peer.produce('camera', 3003)), 'FORBIDDEN');
  // A new guest token from the removed guest's address waits in the lobby (ACCESS-6).
  assert.is((await tryJoin(ctx, meeting, await guestToken(srv, meeting, 'Guest again'))).code, 'IN_LOBBY');
  // Not everyone is refused: a participant nobody moderated comes in as before.
  assert.equal(await tryJoin(ctx, meeting, tokens.bystander).then((j) => [j.code, j.role]), ['accepted', 'participant']);
  // The lock and the lobby are still on (MOD-5, LOBBY-1), for the meeting and the board (ACCESS-5).
  assert.is((await tryJoin(ctx, locked, tokens.lockedOut)).code, 'ROOM_LOCKED');
  assert.match(await board(ctx, locked, tokens.lockedOut), 'IN_LOBBY');
  assert.is((await tryJoin(ctx, lobby, tokens.waiting)).code, 'IN_LOBBY');
  const controls = (await admin(srv, 'GET', `/api/rooms/${lobby}/participants`)).json.controls;
  assert.equal([controls.locked, controls.lobbyEnabled], [false, true]);
  // An unlock before the restart is kept too.
  assert.is((await tryJoin(ctx, reopened, tokens.reopened)).code, 'accepted');
});

restart('MOD-10: a removal the store cannot write still removes (and keeps out) in the live meeting; /healthz says moderation.store failed', async (ctx) => {
  ctx.srv ??= await startTestServer({}, { keepData: true });
  const srv = ctx.srv;
  const { id } = await srv.createRoom({ name: 'Broken disk' });
  const host = (await tryJoin(ctx, id, await srv.mintToken(id, 'Host', 'host'))).peer;
  const token = await srv.mintToken(id, 'Mallory');
  const mallory = await tryJoin(ctx, id, token);
  // Every write of a ban now fails, as with a broken disk: its table is gone.
  const raw = new Database(path.join(srv.dataDir, 'nomades.db'));
  raw.exec('ALTER TABLE bans RENAME TO bans_away');
  raw.close();
  assert.is(await outcome(request(host.socket, 'removeParticipant', { peerId: mallory.peer.peerId })), 'accepted');
  await waitFor('Mallory is told', () => mallory.peer.count('closing') === 1);
  assert.is((await tryJoin(ctx, id, token)).code, 'REMOVED', 'the ban holds in memory');
  const health = (await (await fetch(`${srv.url}/healthz`)).json()) as { status: string; faults: Record<string, { count: number }> };
  assert.is(health.status, 'degraded');
  assert.ok((health.faults['moderation.store']?.count ?? 0) >= 1, JSON.stringify(health.faults));
});

restart.run();
