import fs from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { COLLAB_CLOSE_CODES, recordingLayout } from '@nomades/shared';
import { Client } from '../helpers/CollabTestClient.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin, outcome, SigPeer } from '../helpers/moderationHelpers.js';
import { request } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';
import { WebhookReceiver } from '../helpers/WebhookReceiver.js';

/**
 * ROOM-7 (docs/spec/signaling.md): DELETE /api/rooms/:id deletes the room and everything its id
 * keys (invitations, moderation state, board and chat, finished recordings with their files and a
 * `recording.deleted` each), so that a new room of the same id inherits nothing; refused while
 * anyone is in the room or a recording is unfinished.
 */
const SECRET = 'webhook-secret-for-tests-0123456789';
type Ctx = { srv?: TestServer; receiver: WebhookReceiver; clients: Client[]; peers: SigPeer[] };
const test = suite<Ctx>('room deletion', { receiver: new WebhookReceiver(SECRET), clients: [], peers: [] });

test.before(async (ctx) => {
  ctx.srv = await startTestServer({ WEBHOOK_URL: await ctx.receiver.listen(), WEBHOOK_SECRET: SECRET });
});
test.after.each((ctx) => {
  for (const c of ctx.clients.splice(0)) c.destroy();
  for (const p of ctx.peers.splice(0)) p.close();
});
test.after(async (ctx) => {
  await ctx.srv?.close();
  await ctx.receiver.close();
});

async function client(ctx: Ctx, roomId: string, name: string): Promise<Client> {
  const c = new Client(ctx.srv!.url, roomId, await ctx.srv!.mintToken(roomId, name));
  ctx.clients.push(c);
  await c.synced();
  return c;
}

async function join(ctx: Ctx, roomId: string, name: string): Promise<SigPeer> {
  const peer = await SigPeer.join(ctx.srv!, roomId, name);
  ctx.peers.push(peer);
  return peer;
}

/** A finished recording as the recorder leaves it: a ready row and its file where recordingLayout says. */
async function storeRecording(srv: TestServer, id: string, roomId: string, status: 'ready' | 'recording' = 'ready'): Promise<string> {
  await srv.server.recording.store.create(id, roomId, new Date().toISOString());
  if (status === 'ready') await srv.server.recording.store.update(id, { status: 'ready', endedAt: new Date().toISOString(), durationMs: 1000, sizeBytes: 4, progress: 100 });
  const file = recordingLayout.composed(srv.server.config.recordingsDir, id);
  fs.mkdirSync(recordingLayout.dir(srv.server.config.recordingsDir, id), { recursive: true });
  fs.writeFileSync(file, 'mp4!');
  return file;
}

const chatTexts = async (srv: TestServer, roomId: string): Promise<string[]> =>
  ((await admin(srv, 'GET', `/api/rooms/${roomId}/chat`)).json.messages as Array<{ text: string }>).map((m) => m.text);

test('ROOM-7: invitations, ban and lock, board and chat, a finished recording: all gone; a new room of the same id inherits nothing', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ id: 'doomed-room', name: 'Doomed room' });
  // An invitation.
  const invite = await admin(srv, 'POST', `/api/rooms/${id}/invites`, {});
  assert.is(invite.status, 201, JSON.stringify(invite.json));
  const inviteToken = new URL(invite.json.url as string).searchParams.get('invite')!;
  // A chat message, through the real collab server; the board connection stays open (no meeting peer).
  const ada = await client(ctx, id, 'Ada');
  assert.is((await ada.say('a secret of the old room')).type, 'chat.accepted');
  assert.equal(await chatTexts(srv, id), ['a secret of the old room']);
  // A ban (a participant removed) and a lock.
  const mallory = await join(ctx, id, 'Mallory');
  assert.is((await admin(srv, 'DELETE', `/api/rooms/${id}/participants/${mallory.peerId}`)).status, 204);
  assert.is((await admin(srv, 'POST', `/api/rooms/${id}/lock`, { locked: true })).status, 204);
  assert.is((await srv.server.moderation.load(id)).bannedIdentities.length, 1);
  assert.is((await srv.server.moderation.load(id)).locked, true);
  await waitFor('the room closed (its last peer removed)', () => srv.server.registry.occupants(id) === 0);
  // A finished recording.
  const recordingId = 'rec_roomDelete01';
  const file = await storeRecording(srv, recordingId, id);

  const res = await admin(srv, 'DELETE', `/api/rooms/${id}`);
  assert.is(res.status, 204, JSON.stringify(res.json));

  assert.is((await admin(srv, 'GET', `/api/rooms/${id}`)).code, 'ROOM_NOT_FOUND');
  const closed = await ada.closedWith(COLLAB_CLOSE_CODES.ROOM_DELETED);
  assert.match(closed.reason, /^ROOM_DELETED/);
  assert.is((await admin(srv, 'GET', `/api/recordings/${recordingId}`)).code, 'NOT_FOUND');
  assert.not.ok(fs.existsSync(file), 'the recording\'s file is gone');
  assert.not.ok(fs.existsSync(recordingLayout.dir(srv.server.config.recordingsDir, recordingId)), 'and its folder');
  const event = await waitFor('recording.deleted', () => ctx.receiver.deliveries.find((d) => d.type === 'recording.deleted' && d.data.recordingId === recordingId));
  assert.equal([event.data.roomId, event.data.reason], [id, 'room-deleted']);
  assert.equal((await srv.server.moderation.load(id)), { locked: false, lobbyEnabled: false, bannedIdentities: [], bannedTokens: [], roles: [], mediaLocks: [], flaggedAddresses: [] });

  // A new room of the same id: no chat, no lock, the old invitation unknown, no recordings.
  assert.is((await srv.createRoom({ id, name: 'Fresh room' })).id, id);
  assert.equal(await chatTexts(srv, id), []);
  const bob = await client(ctx, id, 'Bob');
  assert.equal(bob.chat, []);
  const redeemed = await fetch(`${srv.url}/api/rooms/${id}/invite-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ invite: inviteToken, name: 'Eve' }),
  });
  assert.is(redeemed.status, 401);
  assert.is(((await redeemed.json()) as { error: { code: string } }).error.code, 'TOKEN_INVALID');
  const carol = await join(ctx, id, 'Carol'); // a locked room would refuse her ROOM_LOCKED
  assert.ok(carol.peerId, 'joined: the room is not locked');
  assert.equal((await admin(srv, 'GET', `/api/rooms/${id}/recordings`)).json, []);
});

test('ROOM-7: a live room with a participant is refused CONFLICT { participants } and nothing is deleted', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Live meeting' });
  const ada = await client(ctx, id, 'Ada');
  assert.is((await ada.say('still here')).type, 'chat.accepted');
  const peer = await join(ctx, id, 'Grace');
  const refused = await admin(srv, 'DELETE', `/api/rooms/${id}`);
  assert.equal([refused.status, refused.code, refused.json.error.params], [409, 'CONFLICT', { participants: 1 }]);
  assert.is((await admin(srv, 'GET', `/api/rooms/${id}`)).status, 200);
  assert.equal(await chatTexts(srv, id), ['still here']);
  assert.is(ada.closes.length, 0, 'the board connection stays');
  assert.is(await outcome(request(peer.socket, 'leave', {})), 'accepted');
  await waitFor('the room empty', () => srv.server.registry.occupants(id) === 0);
  assert.is((await admin(srv, 'DELETE', `/api/rooms/${id}`)).status, 204);
});

test('ROOM-7: a recording in progress is refused CONFLICT and nothing is deleted', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Recording now' });
  const recordingId = 'rec_roomDelete02';
  const file = await storeRecording(srv, recordingId, id, 'recording');
  const refused = await admin(srv, 'DELETE', `/api/rooms/${id}`);
  assert.equal([refused.status, refused.code], [409, 'CONFLICT']);
  assert.is((await admin(srv, 'GET', `/api/rooms/${id}`)).status, 200);
  assert.is((await admin(srv, 'GET', `/api/recordings/${recordingId}`)).json.status, 'recording');
  assert.ok(fs.existsSync(file));
});

test('ROOM-7: an unknown room is ROOM_NOT_FOUND; without the admin key, 401', async (ctx) => {
  const srv = ctx.srv!;
  assert.equal([(await admin(srv, 'DELETE', '/api/rooms/no-such-room')).status, (await admin(srv, 'DELETE', '/api/rooms/no-such-room')).code], [404, 'ROOM_NOT_FOUND']);
  const { id } = await srv.createRoom({ name: 'Kept room' });
  const anonymous = await fetch(`${srv.url}/api/rooms/${id}`, { method: 'DELETE' });
  assert.is(anonymous.status, 401);
  assert.is((await admin(srv, 'GET', `/api/rooms/${id}`)).status, 200);
});

exitAfterRun(test);
