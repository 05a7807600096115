import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SHARING_LIMITS, publicRoomInfoSchema, type RoomInfo } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin } from '../helpers/moderationHelpers.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';

/**
 * Rooms with names (issue 14, docs/spec/sharing.md NAME-n): an id from the name's slug, the
 * public room information the pre-join reads, the room's sharing settings.
 */
const names = suite<{ srv?: TestServer; retention?: TestServer }>('room names', {});

names.before(async (ctx) => {
  ctx.srv = await startTestServer();
  ctx.retention = await startTestServer({ RECORDING_RETENTION_DAYS: '30', CHAT_RETENTION_DAYS: '90' });
});
names.after(async (ctx) => {
  await ctx.srv?.close();
  await ctx.retention?.close();
});

const publicInfo = async (srv: TestServer, id: string) => {
  const res = await fetch(`${srv.url}/api/rooms/${id}/public`);
  const json = (await res.json()) as any;
  return { status: res.status, code: json?.error?.code ?? 'ok', json };
};

names('NAME-2: a room created with a name and no id gets its slug as id; the same name again is 409 CONFLICT with that id', async (ctx) => {
  const srv = ctx.srv!;
  const created = await admin(srv, 'POST', '/api/rooms', { name: "Réunion d'équipe DASCO" });
  assert.is(created.status, 201);
  assert.equal([created.json.id, created.json.name], ['reunion-d-equipe-dasco', "Réunion d'équipe DASCO"]);
  const again = await admin(srv, 'POST', '/api/rooms', { name: "Réunion d'Équipe  DASCO" });
  assert.equal([again.status, again.code, again.json.error.params], [409, 'CONFLICT', { id: 'reunion-d-equipe-dasco' }], 'another spelling of the same slug');
  const explicit = await admin(srv, 'POST', '/api/rooms', { id: 'dasco-2', name: "Réunion d'équipe DASCO" });
  assert.is(explicit.json.id, 'dasco-2', 'an explicit id wins over the slug');
  const unsluggable = await admin(srv, 'POST', '/api/rooms', { name: '会議' });
  assert.is(unsluggable.status, 201);
  assert.match(unsluggable.json.id, /^[a-z0-9]{11}$/, 'no slug: a generated id');
  const anonymous = await admin(srv, 'POST', '/api/rooms', {});
  assert.match(anonymous.json.id, /^[a-z0-9]{11}$/);
});

names('REC-V1, INV-7: recordingViewers and participantsMayInvite: defaults, set at creation, patched, validated', async (ctx) => {
  const srv = ctx.srv!;
  const bare = (await admin(srv, 'POST', '/api/rooms', {})).json as RoomInfo;
  assert.equal([bare.recordingViewers, bare.participantsMayInvite], [['host'], false]);
  const set = (await admin(srv, 'POST', '/api/rooms', { name: 'Ouverte', recordingViewers: ['host', 'participant'], participantsMayInvite: true })).json as RoomInfo;
  assert.equal([set.recordingViewers, set.participantsMayInvite], [['host', 'participant'], true]);
  const patched = await admin(srv, 'PATCH', `/api/rooms/${set.id}`, { recordingViewers: ['host', 'participant', 'attendee'] });
  assert.equal([patched.json.recordingViewers, patched.json.participantsMayInvite], [['host', 'participant', 'attendee'], true]);
  assert.equal((await admin(srv, 'GET', `/api/rooms/${set.id}`)).json, patched.json, 'kept');
  for (const body of [{ recordingViewers: ['host', 'host'] }, { recordingViewers: ['admin'] }, { recordingViewers: 'host' }, { participantsMayInvite: 'yes' }]) {
    const res = await admin(srv, 'PATCH', `/api/rooms/${set.id}`, body);
    assert.equal([res.status, res.code], [400, 'BAD_REQUEST'], JSON.stringify(body));
  }
});

names('NAME-3: GET /api/rooms/:id/public needs no key and says the name and, for a recorded room, the recording notice', async (ctx) => {
  const srv = ctx.srv!;
  await admin(srv, 'POST', '/api/rooms', { name: 'Conseil de quartier', record: true, recordingViewers: ['host', 'participant'] });
  const recorded = await publicInfo(srv, 'conseil-de-quartier');
  assert.is(recorded.status, 200);
  assert.ok(publicRoomInfoSchema.safeParse(recorded.json).success, 'the shared schema');
  assert.equal(recorded.json, {
    id: 'conseil-de-quartier',
    name: 'Conseil de quartier',
    mode: 'meeting',
    record: true,
    participantsMayInvite: false,
    recordingViewers: ['host', 'participant'],
    recordingNotice: { retentionDays: null, viewers: ['host', 'participant'] },
    chatRetentionDays: null,
    guestsAllowed: true, // GUEST_ACCESS on loopback (OWN-5)
    agentRoom: false,
  });
  await admin(srv, 'POST', '/api/rooms', { name: 'Café', mode: 'coffee' });
  assert.equal((await publicInfo(srv, 'cafe')).json, { id: 'cafe', name: 'Café', mode: 'coffee', record: false, participantsMayInvite: false, recordingViewers: ['host'], recordingNotice: null, chatRetentionDays: null, guestsAllowed: true, agentRoom: false });
  // It follows the room: turning recording on shows the notice.
  await admin(srv, 'PATCH', '/api/rooms/cafe', { record: true });
  assert.equal((await publicInfo(srv, 'cafe')).json.recordingNotice, { retentionDays: null, viewers: ['host'] });
  // Only rooms that exist; nothing else of the room (capacity, settings) is public.
  const missing = await publicInfo(srv, 'no-such-room');
  assert.equal([missing.status, missing.code], [404, 'ROOM_NOT_FOUND']);
  assert.is((await publicInfo(srv, 'x'.repeat(65))).code, 'ROOM_NOT_FOUND');
});

names('NAME-3: RECORDING_RETENTION_DAYS is in the notice; the look-ups are rate-limited per address: past the limit, 429 RATE_LIMITED', async (ctx) => {
  const srv = ctx.retention!; // a server of its own: no other test used its limiter
  await admin(srv, 'POST', '/api/rooms', { name: 'Kept', record: true });
  const kept = (await publicInfo(srv, 'kept')).json;
  assert.equal(kept.recordingNotice, { retentionDays: 30, viewers: ['host'] });
  assert.is(kept.chatRetentionDays, 90, 'RET-2: CHAT_RETENTION_DAYS beside it');
  let used = 1;
  while (used < SHARING_LIMITS.publicInfoPerWindow) {
    const res = await publicInfo(srv, used % 2 ? 'kept' : 'no-such-room');
    assert.ok(res.status === 200 || res.status === 404, `look-up ${used + 1}: ${res.status}`);
    used++;
  }
  const refused = await publicInfo(srv, 'kept');
  assert.equal([refused.status, refused.code], [429, 'RATE_LIMITED']);
});

exitAfterRun(names);
