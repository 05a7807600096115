import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SHARING_LIMITS, createdInviteSchema, inviteInfoSchema, meetingInviteSchema, tokenResponseSchema } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin, SigPeer } from '../helpers/moderationHelpers.js';
import { connectSocket, request, RequestError } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/**
 * Invitations (issue 14, INV-n in docs/spec/sharing.md): an administrator's signed, expiring,
 * revocable link that gives everyone who opens it an identity of their own; the room's reusable
 * invitation copied from the meeting with a room token.
 */
type Ctx = { srv?: TestServer; peers: SigPeer[] };
const invites = suite<Ctx>('invitations', { peers: [] });

invites.before(async (ctx) => {
  ctx.srv = await startTestServer();
});
invites.after.each((ctx) => {
  for (const p of ctx.peers) p.close();
  ctx.peers = [];
});
invites.after(async (ctx) => {
  await ctx.srv?.close();
});

const inviteOf = (url: string) => new URL(url).searchParams.get('invite')!;
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

async function post(srv: TestServer, path: string, body: unknown, bearer?: string) {
  const res = await fetch(`${srv.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  return { status: res.status, code: json?.error?.code ?? 'ok', params: json?.error?.params, json };
}
const redeem = (srv: TestServer, roomId: string, invite: string, name = 'Agent') => post(srv, `/api/rooms/${roomId}/invite-token`, { invite, name });
const makeInvite = async (srv: TestServer, roomId: string, body: unknown = {}) => {
  const res = await admin(srv, 'POST', `/api/rooms/${roomId}/invites`, body);
  assert.is(res.status, 201, JSON.stringify(res.json));
  return res.json as { id: string; url: string; expiresAt: string; maxUses: number | null };
};

invites('INV-1, INV-4: one invitation, three people: each gets an identity of their own and all three are in the room together', async (ctx) => {
  const srv = ctx.srv!;
  const { id: roomId } = await srv.createRoom({ name: 'Équipe voirie' });
  const created = await makeInvite(srv, roomId, { ttlSeconds: 3600 });
  assert.ok(createdInviteSchema.safeParse(created).success, 'the shared schema');
  assert.ok(created.url.startsWith(`${srv.url}/room/${roomId}?invite=`), created.url);
  assert.is(created.maxUses, null, 'no limit given: unlimited until it expires');
  const expires = Date.parse(created.expiresAt) - Date.now();
  assert.ok(expires > 3590_000 && expires <= 3600_000, `expires in an hour: ${expires} ms`);

  const identities = new Set<string>();
  const joined: Array<{ peerId: string; peers: string[]; role: string }> = [];
  for (const name of ['Ada', 'Grace', 'Hedy']) {
    const answer = await redeem(srv, roomId, inviteOf(created.url), name);
    assert.is(answer.status, 200, JSON.stringify(answer.json));
    assert.ok(tokenResponseSchema.safeParse(answer.json).success);
    const claims = claimsOf(answer.json.token);
    assert.equal([claims.name, claims.room, claims.role, claims.invite, claims.guest], [name, roomId, 'participant', created.id, true]);
    identities.add(String(claims.sub));
    const peer = await SigPeer.connect(srv, roomId, answer.json.token);
    ctx.peers.push(peer);
    const j = await request(peer.socket, 'join', {});
    joined.push({ peerId: j.peerId, peers: j.peers.map((p) => p.displayName), role: j.role });
  }
  assert.is(identities.size, 3, 'three identities: nobody replaced anybody (ROOM-2)');
  assert.equal(joined.map((j) => j.peers), [[], ['Ada'], ['Ada', 'Grace']]);
  assert.equal(joined.map((j) => j.role), ['participant', 'participant', 'participant']);
  const participants = await admin(srv, 'GET', `/api/rooms/${roomId}/participants`);
  assert.is(participants.json.peers.length, 3, 'all three still in the room');
  // Listed with its uses.
  const list = await admin(srv, 'GET', `/api/rooms/${roomId}/invites`);
  assert.is(list.status, 200);
  assert.is(list.json.invites.length, 1);
  assert.ok(inviteInfoSchema.safeParse(list.json.invites[0]).success);
  assert.equal(
    { ...list.json.invites[0], createdAt: undefined },
    { id: created.id, url: created.url, expiresAt: created.expiresAt, maxUses: null, role: 'participant', kind: 'admin', uses: 3, revoked: false, createdAt: undefined },
  );
});

invites('INV-4: the role is the invitation\'s: attendee by default in a webinar, the administrator\'s choice otherwise', async (ctx) => {
  const srv = ctx.srv!;
  const { id: roomId } = await srv.createRoom({ name: 'Webinaire RH', mode: 'webinar' });
  const roleOfJoin = async (url: string, name: string) => {
    const { json } = await redeem(srv, roomId, inviteOf(url), name);
    const peer = await SigPeer.connect(srv, roomId, json.token);
    ctx.peers.push(peer);
    return (await request(peer.socket, 'join', {})).role;
  };
  assert.is(await roleOfJoin((await makeInvite(srv, roomId)).url, 'Public'), 'attendee');
  assert.is(await roleOfJoin((await makeInvite(srv, roomId, { role: 'participant' })).url, 'Panelist'), 'participant', 'ROLE-5 does not demote an invitee');
  assert.is(await roleOfJoin((await makeInvite(srv, roomId, { role: 'host' })).url, 'Co-host'), 'host');
});

invites('INV-5: revoked, expired, used up, another room, forged, not an invitation: each its exact code; nothing counted', async (ctx) => {
  const srv = ctx.srv!;
  const { id: roomId } = await srv.createRoom({ name: 'Refus' });
  const { id: otherRoom } = await srv.createRoom({ name: 'Ailleurs' });
  const twice = await makeInvite(srv, roomId, { maxUses: 2 });
  assert.is(twice.maxUses, 2);
  assert.is((await redeem(srv, roomId, inviteOf(twice.url))).status, 200);
  assert.is((await redeem(srv, roomId, inviteOf(twice.url))).status, 200);
  const usedUp = await redeem(srv, roomId, inviteOf(twice.url));
  assert.equal([usedUp.status, usedUp.code, usedUp.params], [403, 'FORBIDDEN', { reason: 'usedUp' }]);

  const revoked = await makeInvite(srv, roomId);
  assert.is((await redeem(srv, roomId, inviteOf(revoked.url))).status, 200);
  assert.is((await admin(srv, 'DELETE', `/api/rooms/${roomId}/invites/${revoked.id}`)).status, 204);
  const afterRevoke = await redeem(srv, roomId, inviteOf(revoked.url));
  assert.equal([afterRevoke.status, afterRevoke.code, afterRevoke.params], [403, 'FORBIDDEN', { reason: 'revoked' }]);

  const elsewhere = await redeem(srv, otherRoom, inviteOf((await makeInvite(srv, roomId)).url));
  assert.equal([elsewhere.status, elsewhere.code], [403, 'TOKEN_WRONG_ROOM']);

  // Expired: an invitation whose time is over (signed as the server signs them, an hour ago).
  const past = Math.floor(Date.now() / 1000) - 3600;
  const expiredJwt = await srv.server.tokens.signScoped('nomades-invite+jwt', { room: roomId, jti: twice.id }, past, past - 60);
  const expired = await redeem(srv, roomId, expiredJwt);
  assert.equal([expired.status, expired.code], [401, 'TOKEN_EXPIRED']);

  const good = inviteOf((await makeInvite(srv, roomId)).url);
  const [h, p, sig] = good.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...claimsOf(good), room: otherRoom })).toString('base64url')}.${sig}`;
  assert.equal((await redeem(srv, otherRoom, forged)).code, 'TOKEN_INVALID', 'changed claims: bad signature');
  assert.equal((await redeem(srv, roomId, `${h}.${p}.${sig.slice(0, -2)}AA`)).code, 'TOKEN_INVALID');
  assert.equal((await redeem(srv, roomId, 'not-a-jwt')).code, 'TOKEN_INVALID');
  const unknownRow = await srv.server.tokens.signScoped('nomades-invite+jwt', { room: roomId, jti: 'inv_AAAAAAAAAAAAAAAAAAAAAA' }, past + 7200);
  assert.equal((await redeem(srv, roomId, unknownRow)).code, 'TOKEN_INVALID', 'signed but no such invitation');
  // INV-2: a room token is not an invitation, an invitation is not a room token.
  const roomToken = await srv.mintToken(roomId, 'Ada');
  assert.equal([(await redeem(srv, roomId, roomToken)).status, (await redeem(srv, roomId, roomToken)).code], [401, 'TOKEN_INVALID']);
  const refused = await connectSocket(srv.url, { token: good, roomId }).then(
    () => 'accepted',
    (error: unknown) => (error instanceof RequestError ? error.error.code : String(error)),
  );
  assert.is(refused, 'TOKEN_INVALID', 'an invitation does not open the meeting');
  const asAdmin = await fetch(`${srv.url}/api/rooms/${roomId}`, { headers: { authorization: `Bearer ${good}` } });
  assert.is(asAdmin.status, 403, 'nor the admin API');

  // Bodies and rooms.
  for (const body of [{ invite: good }, { invite: good, name: '' }, { invite: good, name: 'x'.repeat(65) }, { invite: 'x'.repeat(5000), name: 'A' }, { invite: good, name: 'A', extra: 1 }]) {
    assert.is((await post(srv, `/api/rooms/${roomId}/invite-token`, body)).code, 'BAD_REQUEST', JSON.stringify(body).slice(0, 80));
  }
  assert.is((await redeem(srv, 'no-such-room', good)).code, 'ROOM_NOT_FOUND');
  const list = (await admin(srv, 'GET', `/api/rooms/${roomId}/invites`)).json.invites as Array<{ id: string; uses: number; revoked: boolean }>;
  assert.equal(list.find((i) => i.id === twice.id)!.uses, 2, 'refusals count no use');
  assert.equal(list.find((i) => i.id === revoked.id), { ...list.find((i) => i.id === revoked.id)!, uses: 1, revoked: true });
});

invites('INV-5: calls at once on an invitation with maxUses get exactly maxUses tokens', async (ctx) => {
  const srv = ctx.srv!;
  const { id: roomId } = await srv.createRoom({ name: 'Course' });
  const invite = inviteOf((await makeInvite(srv, roomId, { maxUses: 3 })).url);
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => redeem(srv, roomId, invite, `Agent ${i}`)));
  assert.is(answers.filter((a) => a.status === 200).length, 3);
  assert.equal(answers.filter((a) => a.status !== 200).map((a) => `${a.code} ${a.params?.reason}`), Array(5).fill('FORBIDDEN usedUp'));
  const [row] = (await admin(srv, 'GET', `/api/rooms/${roomId}/invites`)).json.invites as Array<{ uses: number }>;
  assert.is(row.uses, 3);
});

invites('INV-1, INV-3: the admin routes need the admin key, validate, and answer NOT_FOUND for another room\'s invitation', async (ctx) => {
  const srv = ctx.srv!;
  const { id: roomId } = await srv.createRoom({ name: 'Admin' });
  const { id: otherRoom } = await srv.createRoom({ name: 'Autre' });
  const created = await makeInvite(srv, roomId);
  const noKey = await post(srv, `/api/rooms/${roomId}/invites`, {});
  assert.equal([noKey.status, noKey.code], [401, 'UNAUTHORIZED']);
  const roomToken = await srv.mintToken(roomId, 'Host', 'host');
  assert.is((await post(srv, `/api/rooms/${roomId}/invites`, {}, roomToken)).code, 'FORBIDDEN', 'a room token is not the admin key');
  for (const body of [{ role: 'admin' }, { ttlSeconds: 10 }, { ttlSeconds: SHARING_LIMITS.maxInviteTtlSeconds + 1 }, { maxUses: 0 }, { maxUses: 1.5 }, { other: 1 }]) {
    const res = await admin(srv, 'POST', `/api/rooms/${roomId}/invites`, body);
    assert.equal([res.status, res.code], [400, 'BAD_REQUEST'], JSON.stringify(body));
  }
  assert.is((await admin(srv, 'POST', '/api/rooms/no-such-room/invites', {})).code, 'ROOM_NOT_FOUND');
  assert.is((await admin(srv, 'DELETE', `/api/rooms/${otherRoom}/invites/${created.id}`)).code, 'NOT_FOUND', 'not that room\'s');
  assert.is((await admin(srv, 'DELETE', `/api/rooms/${roomId}/invites/garbage`)).code, 'NOT_FOUND');
  assert.is((await redeem(srv, roomId, inviteOf(created.url))).status, 200, 'the refused revocation left it alone');
  const del = await fetch(`${srv.url}/api/rooms/${roomId}/invites/${created.id}`, { method: 'DELETE' });
  assert.is(del.status, 401);
});

invites('INV-6: invitation tokens are rate-limited per address and room: past the limit, 429 RATE_LIMITED', async (ctx) => {
  const srv = ctx.srv!;
  const { id: roomId } = await srv.createRoom({ name: 'Foule' });
  const invite = inviteOf((await makeInvite(srv, roomId)).url);
  for (let i = 0; i < SHARING_LIMITS.inviteTokensPerWindow; i++) {
    assert.is((await redeem(srv, roomId, invite, `Agent ${i}`)).status, 200, `token ${i + 1}`);
  }
  const refused = await redeem(srv, roomId, invite, 'One too many');
  assert.equal([refused.status, refused.code], [429, 'RATE_LIMITED']);
});

invites('INV-7: from the meeting: a host gets the room\'s reusable invitation; participants only where the room allows it; attendees never', async (ctx) => {
  const srv = ctx.srv!;
  const { id: roomId } = await srv.createRoom({ name: 'Réunion hebdo' });
  const current = (bearer?: string) => post(srv, `/api/rooms/${roomId}/invites/current`, {}, bearer);
  const host = await srv.mintToken(roomId, 'Host', 'host');
  const first = await current(host);
  assert.is(first.status, 200, JSON.stringify(first.json));
  assert.ok(meetingInviteSchema.safeParse(first.json).success);
  const second = await current(host);
  assert.equal(second.json, first.json, 'the same invitation while it is valid');
  const joinedWith = await redeem(srv, roomId, inviteOf(first.json.url), 'Colleague');
  assert.is(claimsOf(joinedWith.json.token).role, 'participant');
  const participant = await srv.mintToken(roomId, 'Pat', 'participant');
  const attendee = await srv.mintToken(roomId, 'Ann', 'attendee');
  assert.equal([(await current(participant)).status, (await current(participant)).code, (await current(participant)).params], [403, 'FORBIDDEN', { role: 'participant' }]);
  assert.is((await admin(srv, 'PATCH', `/api/rooms/${roomId}`, { participantsMayInvite: true })).status, 200);
  assert.equal((await current(participant)).json, first.json, 'allowed now, the same invitation');
  assert.equal([(await current(attendee)).status, (await current(attendee)).code], [403, 'FORBIDDEN']);
  // ACCESS-8: the live role counts: a participant a host demoted is an attendee here too.
  const pat = await SigPeer.connect(srv, roomId, participant);
  ctx.peers.push(pat);
  const { peerId } = await request(pat.socket, 'join', {});
  assert.is((await admin(srv, 'POST', `/api/rooms/${roomId}/participants/${peerId}/role`, { role: 'attendee' })).status, 204);
  assert.is((await current(participant)).code, 'FORBIDDEN', 'demoted');
  // ACCESS-8: a removed identity is refused REMOVED, host or not.
  const hostToo = await srv.mintToken(roomId, 'Co-host', 'host');
  const removedToken = await srv.mintToken(roomId, 'Removed later', 'participant');
  const removed = await SigPeer.connect(srv, roomId, removedToken);
  ctx.peers.push(removed);
  const { peerId: removedId } = await request(removed.socket, 'join', {});
  assert.is((await current(removedToken)).status, 200, 'allowed before the removal');
  assert.is((await admin(srv, 'DELETE', `/api/rooms/${roomId}/participants/${removedId}`)).status, 204);
  assert.equal([(await current(removedToken)).status, (await current(removedToken)).code], [403, 'REMOVED']);
  assert.is((await current(hostToo)).status, 200, 'others are not affected');
  // Credentials.
  assert.equal([(await current()).status, (await current()).code], [401, 'TOKEN_MISSING']);
  assert.is((await current(inviteOf(first.json.url))).code, 'TOKEN_INVALID', 'an invitation is not a room token');
  assert.is((await current(srv.adminKey)).code, 'TOKEN_INVALID', 'nor is the admin key');
  const { id: otherRoom } = await srv.createRoom({ name: 'Voisine' });
  assert.is((await current(await srv.mintToken(otherRoom, 'Host', 'host'))).code, 'TOKEN_WRONG_ROOM');
  assert.is((await post(srv, '/api/rooms/no-such-room/invites/current', {}, host)).code, 'ROOM_NOT_FOUND');
  // Listed as the room's meeting invitation; revoking it makes the next call create another.
  const list = (await admin(srv, 'GET', `/api/rooms/${roomId}/invites`)).json.invites as Array<{ id: string; kind: string; url: string }>;
  const meeting = list.find((i) => i.kind === 'meeting')!;
  assert.is(meeting.url, first.json.url);
  await admin(srv, 'DELETE', `/api/rooms/${roomId}/invites/${meeting.id}`);
  const renewed = await current(host);
  assert.is(renewed.status, 200);
  assert.is.not(renewed.json.url, first.json.url, 'a new invitation after a revocation');
  assert.is((await redeem(srv, roomId, inviteOf(first.json.url))).code, 'FORBIDDEN');
});

exitAfterRun(invites);
