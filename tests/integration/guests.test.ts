import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ACCESS_LIMITS, type RoomControls } from '@nomades/shared';
import { Client } from '../helpers/CollabTestClient.js';
import { SigPeer, outcome } from '../helpers/moderationHelpers.js';
import { request } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * Guests (ACCESS-6, LOBBY-6 in docs/spec/signaling.md): guest tokens are rate-limited per client
 * address and room; a removed guest who asks a new guest token from the same address waits in
 * the lobby instead of coming straight back; one identity holds one lobby entry.
 */
type Ctx = { srv?: TestServer; peers: SigPeer[]; clients: Client[] };
const guests = suite<Ctx>('guests', { peers: [], clients: [] });

guests.before(async (ctx) => {
  ctx.srv = await startTestServer(); // loopback: guest access on
});
guests.after(async (ctx) => {
  for (const c of ctx.clients) c.destroy();
  for (const p of ctx.peers) p.close();
  await ctx.srv?.close();
});

const askGuestToken = async (srv: TestServer, roomId: string, name: string) => {
  const res = await fetch(`${srv.url}/api/rooms/${roomId}/guest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  const body = (await res.json()) as { token?: string; error?: { code: string } };
  return { status: res.status, code: body.error?.code ?? 'ok', token: body.token ?? '' };
};

const connect = async (ctx: Ctx, roomId: string, token: string) => {
  const peer = await SigPeer.connect(ctx.srv!, roomId, token);
  ctx.peers.push(peer);
  return peer;
};

const lobbyOf = (host: SigPeer): RoomControls['lobby'] => host.last('roomControls')?.lobby ?? [];

guests('ACCESS-6: guest tokens are rate-limited per address and room: past the limit, 429 RATE_LIMITED', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const { id: other } = await srv.createRoom();
  for (let i = 0; i < ACCESS_LIMITS.guestTokensPerWindow; i++) {
    const answer = await askGuestToken(srv, id, `Guest ${i}`);
    assert.is(answer.status, 200, `token ${i + 1} of ${ACCESS_LIMITS.guestTokensPerWindow}`);
  }
  const refused = await askGuestToken(srv, id, 'One too many');
  assert.is(`${refused.status} ${refused.code}`, '429 RATE_LIMITED');
  const elsewhere = await askGuestToken(srv, other, 'Another room');
  assert.is(elsewhere.status, 200, 'the limit is per room');
});

guests('ACCESS-6: a removed guest asking a new guest token cannot get back in directly: it waits in the lobby', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const host = await SigPeer.join(srv, id, 'Host', 'host');
  ctx.peers.push(host);
  const first = await askGuestToken(srv, id, 'Mallory');
  const mallory = await connect(ctx, id, first.token);
  const { peerId } = await request(mallory.socket, 'join', {});
  await request(host.socket, 'removeParticipant', { peerId });
  await waitFor('the guest is told', () => mallory.count('closing') === 1);

  const second = await askGuestToken(srv, id, 'Mallory again');
  assert.is(second.status, 200, 'a token is handed out (the join decides)');
  const back = await connect(ctx, id, second.token);
  assert.is(await outcome(request(back.socket, 'join', {})), 'IN_LOBBY', 'no way straight back in');
  await waitFor('the host sees the returning guest in the lobby', () => lobbyOf(host).find((e) => e.displayName === 'Mallory again'));
  assert.is(lobbyOf(host).find((e) => e.displayName === 'Mallory again')?.guest, true);
  // Nor by the board: not in the meeting, so IN_LOBBY there too.
  const board = new Client(srv.url, id, second.token);
  ctx.clients.push(board);
  await board.synced();
  assert.match(board.authFailure ?? '', 'IN_LOBBY');
  // Only guests: a named participant from the same address joins as before.
  const named = await connect(ctx, id, await srv.mintToken(id, 'Colleague'));
  assert.is(await outcome(request(named.socket, 'join', {})), 'accepted');
  // The host can still let the returning guest in.
  const entry = lobbyOf(host).find((e) => e.displayName === 'Mallory again')!;
  await request(host.socket, 'admitFromLobby', { id: entry.id });
  await waitFor('admitted', () => back.count('lobbyAdmitted') === 1);
  assert.is(await outcome(request(back.socket, 'join', {})), 'accepted');
});

guests('LOBBY-6: one lobby entry per identity: knocking again replaces the older entry (ALREADY_JOINED)', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const host = await SigPeer.join(srv, id, 'Host', 'host');
  ctx.peers.push(host);
  await request(host.socket, 'setLobby', { enabled: true });
  const token = await srv.mintToken(id, 'Knocker');
  const older = await connect(ctx, id, token);
  assert.is(await outcome(request(older.socket, 'join', {})), 'IN_LOBBY');
  const newer = await connect(ctx, id, token);
  assert.is(await outcome(request(newer.socket, 'join', {})), 'IN_LOBBY');
  const closing = await waitFor('the older knock is closed', () => older.notes.find((n) => n.name === 'closing')?.data as { error: { code: string } } | undefined);
  assert.is(closing.error.code, 'ALREADY_JOINED');
  // Ordering barrier: a request answered after both knocks, then the host's view.
  await request(host.socket, 'setHand', { raised: true });
  await waitFor('the host sees its hand', () => host.last('roomControls')?.hands.length === 1);
  assert.is(lobbyOf(host).filter((e) => e.displayName === 'Knocker').length, 1, 'one entry for the identity');
  const entry = lobbyOf(host).find((e) => e.displayName === 'Knocker')!;
  await request(host.socket, 'admitFromLobby', { id: entry.id });
  await waitFor('the newer knock is admitted', () => newer.count('lobbyAdmitted') === 1);
});

guests.run();
