import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Socket } from 'socket.io-client';
import { Client, shape } from '../helpers/CollabTestClient.js';
import { admin } from '../helpers/moderationHelpers.js';
import { connectSocket, request } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * COL-12 / ACCESS-1…5: the board and chat follow the meeting's moderation (one rule, RoomAccess).
 * A removed participant cannot open them with its token; with a lobby, only people in the meeting
 * (and hosts) can; the rights are those of the live role (a promoted attendee may draw).
 */
const admission = suite<{ srv?: TestServer; clients: Client[]; sockets: Socket[] }>('collab admission', { clients: [], sockets: [] });

admission.before(async (ctx) => {
  ctx.srv = await startTestServer();
});
admission.after(async (ctx) => {
  for (const c of ctx.clients) c.destroy();
  for (const s of ctx.sockets) s.close();
  await ctx.srv?.close();
});

const open = (ctx: { srv?: TestServer; clients: Client[] }, roomId: string, token: string) => {
  const client = new Client(ctx.srv!.url, roomId, token);
  ctx.clients.push(client);
  return client;
};

admission('a removed participant is refused; with a lobby only members and hosts get in', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const token = await srv.mintToken(id, 'Mallory');
  const socket = await connectSocket(srv.url, { token, roomId: id });
  ctx.sockets.push(socket);
  const { peerId } = await request(socket, 'join', {});
  assert.ok((await admin(srv, 'DELETE', `/api/rooms/${id}/participants/${peerId}`)).status < 300);
  const removed = open(ctx, id, token);
  await removed.synced();
  assert.match(removed.authFailure ?? '', 'REMOVED');

  assert.ok((await admin(srv, 'POST', `/api/rooms/${id}/lobby`, { enabled: true })).status < 300);
  const outsider = open(ctx, id, await srv.mintToken(id, 'Waiting'));
  await outsider.synced();
  assert.match(outsider.authFailure ?? '', 'IN_LOBBY');
  const host = open(ctx, id, await srv.mintToken(id, 'Host', 'host'));
  await host.synced();
  assert.is(host.authFailure, null, 'hosts get in');
});

admission('an attendee is read-only; once promoted, its next connection may draw (live role)', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const token = await srv.mintToken(id, 'Attendee', 'attendee');
  const socket = await connectSocket(srv.url, { token, roomId: id });
  ctx.sockets.push(socket);
  const { peerId } = await request(socket, 'join', {});
  const watcher = open(ctx, id, await srv.mintToken(id, 'Watcher', 'host'));
  await watcher.synced();

  const before = open(ctx, id, token);
  await before.synced();
  before.board.set('shape:a', shape('shape:a'));
  // Ordering barrier: a chat message sent after the edit; once the watcher has it, an applied edit would be there.
  assert.is((await before.say('after my edit')).type, 'chat.accepted');
  await waitFor('the chat message reached the watcher', () => watcher.chat.some((m) => m.text === 'after my edit'));
  assert.not.ok(watcher.board.has('shape:a'), 'an attendee cannot draw');

  assert.ok((await admin(srv, 'POST', `/api/rooms/${id}/participants/${peerId}/role`, { role: 'participant' })).status < 300);
  const after = open(ctx, id, token);
  await after.synced();
  after.board.set('shape:b', shape('shape:b'));
  await waitFor('the promoted participant draws', () => watcher.board.has('shape:b'), 5_000);
});

admission('ACCESS-5: while the lobby is on, a member admitted to the meeting opens the board; an outsider with a token does not', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const host = await connectSocket(srv.url, { token: await srv.mintToken(id, 'Host', 'host'), roomId: id });
  ctx.sockets.push(host);
  await request(host, 'join', {});
  await request(host, 'setLobby', { enabled: true });
  const token = await srv.mintToken(id, 'Member');
  const member = await connectSocket(srv.url, { token, roomId: id });
  ctx.sockets.push(member);
  const admitted = new Promise<void>((resolve) => member.once('lobbyAdmitted', () => resolve()));
  await request(member, 'join', {}).catch(() => undefined); // IN_LOBBY: waits
  const lobby = await waitFor('the member waits in the lobby', async () => (await admin(srv, 'GET', `/api/rooms/${id}/participants`)).json?.controls?.lobby?.[0]);
  assert.ok((await admin(srv, 'POST', `/api/rooms/${id}/lobby/${lobby.id}/admit`)).status < 300);
  await admitted;
  await request(member, 'join', {});

  const board = open(ctx, id, token);
  await board.synced();
  assert.is(board.authFailure, null, 'a member gets in while the lobby is on');
  assert.ok(board.provider.isSynced);
  const outsider = open(ctx, id, await srv.mintToken(id, 'Outsider'));
  await outsider.synced();
  assert.match(outsider.authFailure ?? '', 'IN_LOBBY');
});

admission.run();
