import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Socket } from 'socket.io-client';
import { COLLAB_CLOSE_CODES } from '@nomades/shared';
import { Client, shape } from '../helpers/CollabTestClient.js';
import { admin } from '../helpers/moderationHelpers.js';
import { connectSocket, request } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * Moderation reaches the board and chat over live connections (ACCESS-1, ACCESS-2, ACCESS-7 in
 * docs/spec/signaling.md; COL-12): a removal closes the identity's /collab connections with
 * REMOVED and refuses its reconnects; a demotion makes its open connection read-only at once; an
 * expired token ends it. Real HocuspocusProvider clients.
 */
type Ctx = { srv?: TestServer; clients: Client[]; sockets: Socket[] };
const mod = suite<Ctx>('collab moderation', { clients: [], sockets: [] });

mod.before(async (ctx) => {
  ctx.srv = await startTestServer();
});
mod.after(async (ctx) => {
  for (const c of ctx.clients) c.destroy();
  for (const s of ctx.sockets) s.close();
  await ctx.srv?.close();
});

const open = (ctx: Ctx, roomId: string, token: string) => {
  const client = new Client(ctx.srv!.url, roomId, token);
  ctx.clients.push(client);
  return client;
};

/** Joins the meeting over signaling with `token`; answers the peer id. */
const joinMeeting = async (ctx: Ctx, roomId: string, token: string): Promise<string> => {
  const socket = await connectSocket(ctx.srv!.url, { token, roomId });
  ctx.sockets.push(socket);
  return (await request(socket, 'join', {})).peerId;
};

/**
 * Ordering barrier: `client` posts a chat message after its board edits; once `watcher` has the
 * message, any edit the server applied before it has reached `watcher` too.
 */
const barrier = async (client: Client, watcher: Client, text: string) => {
  const answer = await client.say(text);
  assert.is(answer.type, 'chat.accepted', 'the chat is open to every role');
  await waitFor(`"${text}" reached the watcher`, () => watcher.chat.some((m) => m.text === text));
};

mod('ACCESS-1: a removed participant\'s open /collab connection is closed with REMOVED, and its reconnect is refused', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const token = await srv.mintToken(id, 'Mallory');
  const peerId = await joinMeeting(ctx, id, token);
  const watcher = open(ctx, id, await srv.mintToken(id, 'Host', 'host'));
  const mallory = open(ctx, id, token);
  await Promise.all([watcher.synced(), mallory.synced()]);
  assert.is(mallory.authFailure, null);
  mallory.board.set('shape:before', shape('shape:before'));
  await waitFor('a participant draws before the removal', () => watcher.board.has('shape:before'));

  assert.is((await admin(srv, 'DELETE', `/api/rooms/${id}/participants/${peerId}`)).status, 204);
  const closed = await mallory.closedWith(COLLAB_CLOSE_CODES.REMOVED);
  assert.match(closed.reason, /^REMOVED/);
  // The provider reconnects by itself: the server refuses it.
  await waitFor('the reconnect is refused', () => mallory.authFailure);
  assert.match(mallory.authFailure!, 'REMOVED');
  // A fresh connection with the same token, too.
  const again = open(ctx, id, token);
  await again.synced();
  assert.match(again.authFailure ?? '', 'REMOVED');
});

mod('ACCESS-2: demoted to attendee, a participant can no longer write the board over its live connection', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const token = await srv.mintToken(id, 'Pat');
  const peerId = await joinMeeting(ctx, id, token);
  const watcher = open(ctx, id, await srv.mintToken(id, 'Host', 'host'));
  const pat = open(ctx, id, token);
  await Promise.all([watcher.synced(), pat.synced()]);
  pat.board.set('shape:a', shape('shape:a'));
  await waitFor('a participant draws', () => watcher.board.has('shape:a'));

  assert.ok((await admin(srv, 'POST', `/api/rooms/${id}/participants/${peerId}/role`, { role: 'attendee' })).status < 300);
  pat.board.set('shape:b', shape('shape:b'));
  await barrier(pat, watcher, 'after the demotion');
  assert.not.ok(watcher.board.has('shape:b'), 'the demoted connection is read-only');
  assert.is(pat.closes.length, 0, 'the same connection: it was not closed');
});

mod('ACCESS-2: promoted from attendee, its open connection may draw at once', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const token = await srv.mintToken(id, 'Ann', 'attendee');
  const peerId = await joinMeeting(ctx, id, token);
  const watcher = open(ctx, id, await srv.mintToken(id, 'Host', 'host'));
  const ann = open(ctx, id, token);
  await Promise.all([watcher.synced(), ann.synced()]);
  assert.is(ann.provider.authorizedScope, 'readonly', 'an attendee opens the board read-only');
  // (No edit before the promotion: edits refused while read-only stay in the client's document,
  // and later updates that build on them are refused as incomplete until it reconnects.)
  assert.ok((await admin(srv, 'POST', `/api/rooms/${id}/participants/${peerId}/role`, { role: 'participant' })).status < 300);
  ann.board.set('shape:y', shape('shape:y'));
  await waitFor('the promoted connection draws', () => watcher.board.has('shape:y'));
  assert.is(ann.closes.length, 0);
});

mod('ACCESS-7: a /collab connection is closed with TOKEN_EXPIRED when its token expires', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const { token } = await srv.server.tokens.mint({ roomId: id, name: 'Brief', role: 'participant', ttlSeconds: 2 });
  const brief = open(ctx, id, token);
  await brief.synced();
  assert.is(brief.authFailure, null, 'authenticated while the token is valid');
  const closed = await brief.closedWith(COLLAB_CLOSE_CODES.TOKEN_EXPIRED);
  assert.match(closed.reason, /^TOKEN_EXPIRED/);
  await waitFor('the reconnect is refused', () => brief.authFailure);
  assert.match(brief.authFailure!, 'TOKEN_EXPIRED');
});

mod.run();
