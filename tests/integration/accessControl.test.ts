import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Socket } from 'socket.io-client';
import { ACCESS_LIMITS } from '@nomades/shared';
import { SigPeer, outcome } from '../helpers/moderationHelpers.js';
import { connectSocket, request, RequestError } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { sleep, waitFor } from '../helpers/waitFor.js';

/**
 * Signaling under hostile or failing conditions (docs/spec/signaling.md): a failing room event
 * listener leaves no ghost peer (ROOM-6); a socket ends when its token expires (ACCESS-7);
 * sockets per identity and per room are capped (SIG-11); a client that does not read what it is
 * sent is reset (SIG-12).
 */
type Ctx = { srv?: TestServer; sockets: Socket[]; peers: SigPeer[] };
const ac = suite<Ctx>('access control', { sockets: [], peers: [] });

ac.before(async (ctx) => {
  ctx.srv = await startTestServer();
});
ac.after.each((ctx) => {
  for (const s of ctx.sockets) s.close();
  for (const p of ctx.peers) p.close();
  ctx.sockets = [];
  ctx.peers = [];
});
ac.after(async (ctx) => {
  await ctx.srv?.close();
});

const mint = async (srv: TestServer, roomId: string, name: string, extra: { identity?: string; ttlSeconds?: number } = {}) =>
  (await srv.server.tokens.mint({ roomId, name, role: 'participant', ...extra })).token;

const connectCode = async (srv: TestServer, roomId: string, token: string, into: Socket[]): Promise<string> => {
  try {
    into.push(await connectSocket(srv.url, { token, roomId }));
    return 'connected';
  } catch (error) {
    return error instanceof RequestError ? error.error.code : String(error);
  }
};

ac('ROOM-6: a peerjoined listener that throws or rejects leaves no ghost peer and no unhandled rejection', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  let thrown = 0;
  let rejected = 0;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const onOpened = (room: { id: string; on: (e: 'peerjoined', l: () => unknown) => void }) => {
    if (room.id !== id) return;
    room.on('peerjoined', () => {
      thrown++;
      throw new Error('a listener exploded');
    });
    room.on('peerjoined', async () => {
      rejected++;
      throw new Error('an async listener exploded');
    });
  };
  srv.server.registry.on('roomopened', onOpened);
  try {
    const alice = await SigPeer.connect(srv, id, await mint(srv, id, 'Alice'));
    ctx.peers.push(alice);
    assert.is(await outcome(request(alice.socket, 'join', {})), 'accepted', 'the join itself succeeds');
    assert.is(thrown, 1);
    assert.is(rejected, 1, 'the listeners after a throwing one still run');
    const bob = await SigPeer.join(srv, id, 'Bob');
    ctx.peers.push(bob);
    assert.is(srv.server.registry.get(id)?.peerCount, 2);
    alice.close();
    bob.close();
    await waitFor('the room closes when both leave (no ghost)', () => srv.server.registry.get(id) === undefined);
    await sleep(0);
    assert.equal(unhandled, [], 'no unhandled rejection');
  } finally {
    srv.server.registry.off('roomopened', onOpened);
    process.off('unhandledRejection', onUnhandled);
  }
});

ac('ACCESS-7: a joined socket is ended with TOKEN_EXPIRED when its token expires, and leaves the room', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const stays = await SigPeer.join(srv, id, 'Stays');
  ctx.peers.push(stays);
  const brief = await SigPeer.connect(srv, id, await mint(srv, id, 'Brief', { ttlSeconds: 2 }));
  ctx.peers.push(brief);
  const { peerId } = await request(brief.socket, 'join', {});
  const closing = await waitFor('closing TOKEN_EXPIRED', () => brief.notes.find((n) => n.name === 'closing')?.data as { error: { code: string } } | undefined, 10_000);
  assert.is(closing.error.code, 'TOKEN_EXPIRED');
  await waitFor('disconnected', () => !brief.socket.connected);
  await waitFor('the others see it leave', () => stays.notes.some((n) => n.name === 'peerLeft' && (n.data as { peerId: string }).peerId === peerId));
  assert.is(srv.server.registry.get(id)?.peerCount, 1);
});

ac('SIG-11: at most maxSocketsPerIdentity sockets per identity; closing one frees a slot', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const token = await mint(srv, id, 'Many tabs', { identity: 'many-tabs@city' });
  for (let i = 0; i < ACCESS_LIMITS.maxSocketsPerIdentity; i++) {
    assert.is(await connectCode(srv, id, token, ctx.sockets), 'connected', `socket ${i + 1}`);
  }
  assert.is(await connectCode(srv, id, token, ctx.sockets), 'RATE_LIMITED');
  // Another token of the same identity counts too.
  assert.is(await connectCode(srv, id, await mint(srv, id, 'Same person', { identity: 'many-tabs@city' }), ctx.sockets), 'RATE_LIMITED');
  assert.is(await connectCode(srv, id, await mint(srv, id, 'Someone else'), ctx.sockets), 'connected');
  ctx.sockets[0].close();
  await waitFor('a slot is free again', async () => (await connectCode(srv, id, token, ctx.sockets)) === 'connected');
  assert.ok(srv.server.signalingStats.refusedPerIdentity >= 2);
});

ac('SIG-11: at most maxParticipants + roomSocketMargin sockets per room; other rooms are not affected', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ maxParticipants: 2 });
  const { id: other } = await srv.createRoom();
  const cap = 2 + ACCESS_LIMITS.roomSocketMargin;
  const tokens = await Promise.all(Array.from({ length: cap + 1 }, (_, i) => mint(srv, id, `Knocker ${i}`)));
  const codes = await Promise.all(tokens.slice(0, cap).map((t) => connectCode(srv, id, t, ctx.sockets)));
  assert.is(codes.filter((c) => c === 'connected').length, cap);
  assert.is(await connectCode(srv, id, tokens[cap], ctx.sockets), 'ROOM_FULL');
  assert.is(await connectCode(srv, other, await mint(srv, other, 'Elsewhere'), ctx.sockets), 'connected');
});

ac('SIG-12: a host that stops reading is reset once its queued bytes pass the limit; a reading host is not', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const slow = await SigPeer.join(srv, id, 'Slow host', 'host');
  const busyHosts = await Promise.all([1, 2, 3, 4].map((i) => SigPeer.join(srv, id, `Busy host ${i}`, 'host')));
  const busy = busyHosts[0];
  ctx.peers.push(slow, ...busyHosts);
  await request(busy.socket, 'setLobby', { enabled: true });
  // The slow host stops reading its socket (before much was sent to it: the kernel's buffers for
  // it stay small).
  const engine = slow.socket.io.engine as unknown as { transport: { ws: { pause(): void } } };
  engine.transport.ws.pause();
  const before = srv.server.signalingStats.slowConsumers;
  // 100 waiting, with long names: every roomControls a host receives carries the whole lobby.
  const name = (i: number) => `Knocker ${i} `.padEnd(64, 'x');
  const knockers = await Promise.all(Array.from({ length: 100 }, async (_, i) => SigPeer.connect(srv, id, await mint(srv, id, name(i)))));
  ctx.peers.push(...knockers);
  assert.ok((await Promise.all(knockers.map((k) => outcome(request(k.socket, 'join', {}))))).every((c) => c === 'IN_LOBBY'));
  await waitFor('the busy hosts see 100 waiting', () => busyHosts.every((h) => h.last('roomControls')?.lobby.length === 100));

  // The busy hosts toggle the lock: each toggle sends every host the whole lobby.
  const reset = () => srv.server.signalingStats.slowConsumers > before;
  await Promise.all(
    busyHosts.map(async (host) => {
      for (let i = 0; !reset() && i < 2000; i++) {
        await request(host.socket, 'setRoomLock', { locked: i % 2 === 0 });
        if (i >= 200) await sleep(25); // stay under each host's own rate limit (SIG-4)
      }
    }),
  );
  assert.is(srv.server.signalingStats.slowConsumers, before + 1, 'the slow host was reset, once');
  await waitFor('the busy host sees the slow host leave', () =>
    busy.notes.some((n) => n.name === 'peerLeft' && (n.data as { peerId: string }).peerId === slow.peerId),
  );
  assert.is(await outcome(request(busy.socket, 'setRoomLock', { locked: false })), 'accepted', 'the reading host is still in');
});

ac.run();
