import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { REACTION_EMOJIS, REACTION_LIMITS } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { SigPeer } from '../helpers/moderationHelpers.js';
import { rawRequest, request, roundTrip } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/**
 * Reactions (issue 14, RCT-n in docs/spec/signaling.md): `react { emoji }` from the fixed list is
 * broadcast as `reaction { peerId, emoji }` to the whole room, the sender included; anything else
 * is BAD_REQUEST; a peer's reactions are rate-limited (RATE_LIMITED). Real server, real sockets.
 */
type Ctx = { srv?: TestServer; peers: SigPeer[] };
const reactions = suite<Ctx>('reactions', { peers: [] });

reactions.before(async (ctx) => {
  ctx.srv = await startTestServer();
});
reactions.after.each((ctx) => {
  for (const p of ctx.peers) p.close();
  ctx.peers = [];
});
reactions.after(async (ctx) => {
  await ctx.srv?.close();
});

const join = async (ctx: Ctx, roomId: string, name: string, role = 'participant') => {
  const peer = await SigPeer.join(ctx.srv!, roomId, name, role);
  ctx.peers.push(peer);
  return peer;
};
const reactionsOf = (peer: SigPeer) => peer.notes.filter((n) => n.name === 'reaction').map((n) => n.data as { peerId: string; emoji: string });
const codeOf = async (promise: Promise<unknown>) => {
  const ack = (await promise) as { ok: boolean; error?: { code: string } };
  return ack.ok ? 'accepted' : ack.error!.code;
};

reactions('RCT-1: a reaction reaches everyone in the room, the sender included, and nobody elsewhere; attendees react too', async (ctx) => {
  const srv = ctx.srv!;
  const { id: roomId } = await srv.createRoom({ name: 'Réactions' });
  const { id: otherRoom } = await srv.createRoom({ name: 'À côté' });
  const ada = await join(ctx, roomId, 'Ada');
  const grace = await join(ctx, roomId, 'Grace');
  const ann = await join(ctx, roomId, 'Ann', 'attendee');
  const elsewhere = await join(ctx, otherRoom, 'Elsewhere');
  // Every emoji of the list, within each peer's burst (RCT-2).
  const senders = [ada, grace];
  for (const [i, emoji] of REACTION_EMOJIS.entries()) await request(senders[i % 2].socket, 'react', { emoji });
  await request(ann.socket, 'react', { emoji: '👏' });
  for (const peer of [ada, grace, ann, elsewhere]) await roundTrip(peer.socket);
  const expected = [...REACTION_EMOJIS.map((emoji, i) => ({ peerId: senders[i % 2].peerId, emoji })), { peerId: ann.peerId, emoji: '👏' }];
  assert.equal(reactionsOf(ada), expected, 'the sender sees its own');
  assert.equal(reactionsOf(grace), expected);
  assert.equal(reactionsOf(ann), expected);
  assert.equal(reactionsOf(elsewhere), [], 'another room hears nothing');
});

reactions('RCT-1: an emoji off the list, a malformed request, or a peer not joined: refused, nothing broadcast', async (ctx) => {
  const srv = ctx.srv!;
  const { id: roomId } = await srv.createRoom({ name: 'Refus de réactions' });
  const ada = await join(ctx, roomId, 'Ada');
  const grace = await join(ctx, roomId, 'Grace');
  for (const data of [{ emoji: '✋' }, { emoji: '💩' }, { emoji: '' }, { emoji: '👍👍' }, { emoji: 1 }, {}, { emoji: '👍', peerId: grace.peerId }, null]) {
    assert.is(await codeOf(rawRequest(ada.socket, 'react', data)), 'BAD_REQUEST', JSON.stringify(data));
  }
  const notJoined = await SigPeer.connect(srv, roomId, await srv.mintToken(roomId, 'Lurker'));
  ctx.peers.push(notJoined);
  assert.is(await codeOf(rawRequest(notJoined.socket, 'react', { emoji: '👍' })), 'NOT_JOINED');
  await roundTrip(grace.socket);
  assert.equal(reactionsOf(grace), []);
});

reactions('RCT-2: past the burst, a peer\'s reactions are RATE_LIMITED and not broadcast; another peer is not limited by it', async (ctx) => {
  const srv = ctx.srv!;
  const { id: roomId } = await srv.createRoom({ name: 'Rafale' });
  const ada = await join(ctx, roomId, 'Ada');
  const grace = await join(ctx, roomId, 'Grace');
  const tries = REACTION_LIMITS.reactionBurst + 10;
  // All sent at once: the burst goes through, then the bucket (1 per second) is empty.
  const codes = await Promise.all(Array.from({ length: tries }, () => codeOf(rawRequest(ada.socket, 'react', { emoji: '🎉' }))));
  assert.equal(codes.slice(0, REACTION_LIMITS.reactionBurst), Array(REACTION_LIMITS.reactionBurst).fill('accepted'), 'the burst');
  const accepted = codes.filter((c) => c === 'accepted').length;
  assert.ok(codes.includes('RATE_LIMITED'), `refused past the burst: ${codes.join(' ')}`);
  assert.equal([...new Set(codes)].sort(), ['RATE_LIMITED', 'accepted'], 'no other code');
  assert.is(await codeOf(rawRequest(grace.socket, 'react', { emoji: '👍' })), 'accepted', 'per peer');
  await roundTrip(grace.socket);
  assert.equal(reactionsOf(grace).filter((r) => r.peerId === ada.peerId).length, accepted, 'only accepted reactions were broadcast');
});

exitAfterRun(reactions);
