import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Socket } from 'socket.io-client';
import type { MyRoom, MyRoomsAnswer, PublicRoomInfo, RoomSettings, SessionTokenAnswer } from '@nomades/shared';
import { AgentSessionsStub } from '../helpers/agentSessionsStub.js';
import { COLLAB_CLOSE_CODES } from '@nomades/shared';
import { Client } from '../helpers/CollabTestClient.js';
import { runNomades } from '../helpers/runNomades.js';
import { connectSocket, request, RequestError } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * The rooms agents run (OWN-1…8) and the room token of a session (AUTH-9, AUTH-11) over real
 * HTTP and signaling, on one server (LOGOUT_ENDS_MEETINGS on, OWNERS_MAY_RECORD off, guests on by
 * default as on loopback).
 */
interface Ctx {
  srv?: TestServer;
  sessions: AgentSessionsStub;
  sockets: Socket[];
  boards: Client[];
}
const agents = suite<Ctx>('rooms agents run', { sessions: new AgentSessionsStub(), sockets: [], boards: [] });

agents.before(async (ctx) => {
  ctx.srv = await startTestServer({}, { agentSessions: ctx.sessions });
});
agents.after(async (ctx) => {
  for (const b of ctx.boards) b.destroy();
  for (const s of ctx.sockets) s.close();
  await ctx.srv?.close();
});

type Call = { status: number; body: any };
async function call(ctx: Ctx, method: string, path: string, cookie?: string, body?: unknown, headers: Record<string, string> = {}): Promise<Call> {
  const res = await fetch(`${ctx.srv!.url}${path}`, {
    method,
    headers: { ...(cookie ? { cookie } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), 'sec-fetch-site': 'same-origin', ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}
const admin = (ctx: Ctx, method: string, path: string, body?: unknown) => call(ctx, method, path, undefined, body, { authorization: `Bearer ${ctx.srv!.adminKey}` });

const outcome = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'joined';
  } catch (e) {
    return e instanceof RequestError ? e.error.code : String(e);
  }
};
async function join(ctx: Ctx, roomId: string, token: string) {
  const socket = await connectSocket(ctx.srv!.url, { token, roomId });
  ctx.sockets.push(socket);
  const closing: string[] = [];
  socket.on('closing', (d: { error: { code: string } }) => closing.push(d.error.code));
  return { socket, closing, result: await outcome(request(socket, 'join', {})) };
}
const sessionToken = (ctx: Ctx, roomId: string, cookie?: string) => call(ctx, 'POST', `/api/rooms/${roomId}/session-token`, cookie);

/** Camille owns a team room: the group "dsi" hosts it, Léa is a member, Paul is another agent. */
async function teamRoom(ctx: Ctx) {
  const camille = ctx.sessions.add({ name: 'Camille Martin', email: 'camille.martin@ville.fr', groups: ['urbanisme'] });
  const dsi = ctx.sessions.add({ name: 'Dominique Roux', email: 'dominique@ville.fr', groups: ['dsi'] });
  const lea = ctx.sessions.add({ name: 'Léa Petit', email: 'Lea.Petit@ville.fr' });
  const paul = ctx.sessions.add({ name: 'Paul Durand', email: 'paul@ville.fr', groups: ['finances'] });
  const created = await call(ctx, 'POST', '/api/me/rooms', camille.cookie, { name: `Équipe ${Math.random().toString(36).slice(2, 8)}` });
  assert.is(created.status, 201);
  const room = created.body as MyRoom;
  const settings: RoomSettings = {
    name: room.name,
    owners: ['camille.martin@ville.fr'],
    members: [
      { kind: 'group', value: 'dsi', role: 'host' },
      { kind: 'email', value: 'lea.petit@ville.fr', role: 'member' },
    ],
    lobby: true,
    guestsAllowed: false,
    record: false,
  };
  const saved = await call(ctx, 'PUT', `/api/rooms/${room.id}/settings`, camille.cookie, settings);
  assert.is(saved.status, 200, JSON.stringify(saved.body));
  return { room, camille, dsi, lea, paul, settings };
}

agents('AUTH-9: without a session, LOGIN_REQUIRED; an unknown room, ROOM_NOT_FOUND; the token only in the JSON answer', async (ctx) => {
  const { id } = await ctx.srv!.createRoom();
  const none = await sessionToken(ctx, id);
  assert.is(none.status, 401);
  assert.is(none.body.error.code, 'LOGIN_REQUIRED');
  assert.is((await call(ctx, 'GET', '/api/me/rooms')).body.error.code, 'LOGIN_REQUIRED');
  assert.is((await call(ctx, 'POST', '/api/me/rooms', undefined, {})).status, 401);
  const someone = ctx.sessions.add({ name: 'Some One' });
  const missing = await sessionToken(ctx, 'no-such-room', someone.cookie);
  assert.is(missing.status, 404);
  assert.is(missing.body.error.code, 'ROOM_NOT_FOUND');
});

agents('AUTH-9, OWN-2: the token for owner, host group, member, other agent: role, relation, identity, name, sid, lobby pass, lifetime', async (ctx) => {
  const { room, camille, dsi, lea, paul } = await teamRoom(ctx);
  const expect = [
    [camille, 'host', 'owner', false],
    [dsi, 'host', 'host', false],
    [lea, 'participant', 'member', true],
    [paul, 'participant', 'agent', false],
  ] as const;
  for (const [who, role, relation, pass] of expect) {
    const res = await sessionToken(ctx, room.id, who.cookie);
    assert.is(res.status, 200, who.agent.name);
    const answer = res.body as SessionTokenAnswer;
    assert.is(answer.role, role, who.agent.name);
    assert.is(answer.relation, relation, who.agent.name);
    const claims = await ctx.srv!.server.tokens.verify(answer.token, room.id);
    assert.is(claims.sub, who.agent.key);
    assert.is(claims.name, who.agent.name);
    assert.is(claims.role, role);
    assert.is(claims.sid, who.agent.sessionHash);
    assert.is(claims.pass === 'lobby', pass, `${who.agent.name}: lobby pass`);
    assert.not.ok(claims.guest);
    assert.ok(claims.exp - claims.iat <= 8 * 3600 && claims.exp - claims.iat > 8 * 3600 - 5, 'at most 8 hours');
  }
  // A session ending in 10 minutes gives a token that ends with it.
  const short = ctx.sessions.add({ name: 'Brief Session', expiresAtMs: Date.now() + 600_000 });
  const claims = await ctx.srv!.server.tokens.verify(((await sessionToken(ctx, room.id, short.cookie)).body as SessionTokenAnswer).token);
  assert.ok(claims.exp * 1000 <= short.agent.expiresAtMs + 1000);
});

agents('OWN-2: in a webinar members and other agents are attendees; hosts stay hosts', async (ctx) => {
  const { id } = await ctx.srv!.createRoom({ name: `Webinaire ${Math.random()}`, mode: 'webinar' });
  const owner = ctx.sessions.add({ name: 'Owner Webinar', email: 'owner.webinar@ville.fr' });
  assert.is((await admin(ctx, 'PUT', `/api/rooms/${id}/owner`, { email: 'owner.webinar@ville.fr' })).status, 200);
  const member = ctx.sessions.add({ name: 'Member Webinar', email: 'member.webinar@ville.fr' });
  const other = ctx.sessions.add({ name: 'Other Webinar' });
  const settings = (await call(ctx, 'GET', `/api/rooms/${id}/settings`, owner.cookie)).body as RoomSettings;
  settings.members = [{ kind: 'email', value: 'member.webinar@ville.fr', role: 'member' }];
  assert.is((await call(ctx, 'PUT', `/api/rooms/${id}/settings`, owner.cookie, settings)).status, 200);
  assert.is((await sessionToken(ctx, id, owner.cookie)).body.role, 'host');
  assert.is((await sessionToken(ctx, id, member.cookie)).body.role, 'attendee');
  assert.is((await sessionToken(ctx, id, other.cookie)).body.role, 'attendee');
});

agents('OWN-1: "Nouvelle réunion" makes a readable room, suffixed when taken, its creator owner; any agent with the link joins directly, no lobby', async (ctx) => {
  const camille = ctx.sessions.add({ name: 'Camille Nouvelle', email: 'camille.nouvelle@ville.fr' });
  const first = await call(ctx, 'POST', '/api/me/rooms', camille.cookie, {});
  assert.is(first.status, 201);
  const room = first.body as MyRoom;
  assert.match(room.name, /^Réunion de Camille Nouvelle du \d{1,2} [a-zéû]+$/);
  assert.match(room.id, /^reunion-de-camille-nouvelle-du-\d{1,2}-[a-z]+$/);
  assert.is(room.relation, 'owner');
  assert.is(room.mode, 'meeting');
  assert.is(room.url, `${ctx.srv!.url}/room/${room.id}`);
  const second = (await call(ctx, 'POST', '/api/me/rooms', camille.cookie, {})).body as MyRoom;
  assert.is(second.id, `${room.id}-2`);
  assert.is(second.name, `${room.name} (2)`);
  const coffee = (await call(ctx, 'POST', '/api/me/rooms', camille.cookie, { name: 'Café du jeudi', mode: 'coffee' })).body as MyRoom;
  assert.is(coffee.id, 'cafe-du-jeudi');
  assert.is(coffee.mode, 'coffee');
  const stored = await ctx.srv!.server.store.get(coffee.id);
  assert.is(stored?.maxParticipants, 8);
  // The owner joins as host, another agent joins straight in (no lobby).
  const owner = await join(ctx, room.id, (await sessionToken(ctx, room.id, camille.cookie)).body.token);
  assert.is(owner.result, 'joined');
  const other = ctx.sessions.add({ name: 'Jean Autre' });
  const token = await sessionToken(ctx, room.id, other.cookie);
  assert.is(token.body.relation, 'agent');
  assert.is((await join(ctx, room.id, token.body.token)).result, 'joined');
  // Settings: lobby off, guests not allowed.
  const settings = (await call(ctx, 'GET', `/api/rooms/${room.id}/settings`, camille.cookie)).body as RoomSettings;
  assert.equal(settings, { name: room.name, owners: ['camille.nouvelle@ville.fr'], members: [], lobby: false, guestsAllowed: false, record: false });
});

agents('OWN-2: a team room with its lobby: another agent waits, a member passes it (not the lock), a host group comes in', async (ctx) => {
  const { room, dsi, lea, paul, camille } = await teamRoom(ctx);
  assert.is((await join(ctx, room.id, (await sessionToken(ctx, room.id, paul.cookie)).body.token)).result, 'IN_LOBBY');
  assert.is((await join(ctx, room.id, (await sessionToken(ctx, room.id, lea.cookie)).body.token)).result, 'joined');
  assert.is((await join(ctx, room.id, (await sessionToken(ctx, room.id, dsi.cookie)).body.token)).result, 'joined');
  // Locked: the member's pass does not open the lock.
  const host = await join(ctx, room.id, (await sessionToken(ctx, room.id, camille.cookie)).body.token);
  assert.is(host.result, 'joined');
  assert.is((await admin(ctx, 'POST', `/api/rooms/${room.id}/lock`, { locked: true })).status, 204);
  const lea2 = ctx.sessions.add({ name: 'Léa Seconde', email: 'lea.petit@ville.fr' });
  assert.is((await join(ctx, room.id, (await sessionToken(ctx, room.id, lea2.cookie)).body.token)).result, 'ROOM_LOCKED');
});

agents('OWN-4: "Mes salles" lists the rooms owned, hosted by a group, joined as member by email; not those of others', async (ctx) => {
  const { room, camille, dsi, lea, paul } = await teamRoom(ctx);
  const mine = async (cookie: string) => ((await call(ctx, 'GET', '/api/me/rooms', cookie)).body as MyRoomsAnswer).rooms.filter((r) => r.id === room.id);
  assert.equal(await mine(camille.cookie), [{ ...room, relation: 'owner' }]);
  assert.equal((await mine(dsi.cookie)).map((r) => r.relation), ['host']);
  assert.equal((await mine(lea.cookie)).map((r) => r.relation), ['member']);
  assert.equal(await mine(paul.cookie), []);
});

agents('OWN-3: settings only for owners (403 for host, member, other; 401 without session); cross-site changes refused and nothing changed', async (ctx) => {
  const { room, camille, dsi, lea, paul, settings } = await teamRoom(ctx);
  for (const who of [dsi, lea, paul]) {
    const get = await call(ctx, 'GET', `/api/rooms/${room.id}/settings`, who.cookie);
    assert.is(get.status, 403, who.agent.name);
    assert.is(get.body.error.code, 'FORBIDDEN');
    assert.is((await call(ctx, 'PUT', `/api/rooms/${room.id}/settings`, who.cookie, { ...settings, name: 'Pris' })).status, 403);
  }
  assert.is((await call(ctx, 'GET', `/api/rooms/${room.id}/settings`)).status, 401);
  const changed = { ...settings, name: 'Changée ailleurs', guestsAllowed: true };
  const crossSite = await call(ctx, 'PUT', `/api/rooms/${room.id}/settings`, camille.cookie, changed, { 'sec-fetch-site': 'cross-site' });
  assert.is(crossSite.status, 403);
  const otherOrigin = await fetch(`${ctx.srv!.url}/api/rooms/${room.id}/settings`, {
    method: 'PUT',
    headers: { cookie: camille.cookie, 'content-type': 'application/json', origin: 'https://evil.example' },
    body: JSON.stringify(changed),
  });
  assert.is(otherOrigin.status, 403);
  const sameOrigin = await fetch(`${ctx.srv!.url}/api/rooms/${room.id}/settings`, {
    method: 'PUT',
    headers: { cookie: camille.cookie, 'content-type': 'application/json', origin: ctx.srv!.url },
    body: JSON.stringify({ ...settings, name: 'Même origine' }),
  });
  assert.is(sameOrigin.status, 200);
  const now = (await call(ctx, 'GET', `/api/rooms/${room.id}/settings`, camille.cookie)).body as RoomSettings;
  assert.is(now.name, 'Même origine');
  assert.is(now.guestsAllowed, false);
  // Cross-site token and new room refused too.
  assert.is((await call(ctx, 'POST', `/api/rooms/${room.id}/session-token`, camille.cookie, undefined, { 'sec-fetch-site': 'cross-site' })).status, 403);
  assert.is((await call(ctx, 'POST', '/api/me/rooms', camille.cookie, {}, { 'sec-fetch-site': 'same-site' })).status, 403);
});

agents('OWN-3, OWN-6: lobby follows the live room, members and owners are stored; recording stays the operator\'s (OWNERS_MAY_RECORD off)', async (ctx) => {
  const { room, camille, paul, settings } = await teamRoom(ctx);
  const waiting = await join(ctx, room.id, (await sessionToken(ctx, room.id, paul.cookie)).body.token);
  assert.is(waiting.result, 'IN_LOBBY');
  const off = await call(ctx, 'PUT', `/api/rooms/${room.id}/settings`, camille.cookie, { ...settings, lobby: false, owners: ['camille.martin@ville.fr', 'Co.Owner@ville.fr'] });
  assert.is(off.status, 200);
  assert.equal((off.body as RoomSettings).owners, ['camille.martin@ville.fr', 'co.owner@ville.fr']);
  assert.is((off.body as RoomSettings).lobby, false);
  await waitFor('the waiting agent is let in', async () => (await outcome(request(waiting.socket, 'join', {}))) === 'joined');
  const record = await call(ctx, 'PUT', `/api/rooms/${room.id}/settings`, camille.cookie, { ...settings, record: true });
  assert.is(record.status, 403);
  assert.is((await ctx.srv!.server.store.get(room.id))?.record, false);
  const selfRemoved = await call(ctx, 'PUT', `/api/rooms/${room.id}/settings`, ctx.sessions.add({ name: 'Co Owner', email: 'co.owner@ville.fr' }).cookie, { ...settings, owners: ['camille.martin@ville.fr'] });
  assert.is(selfRemoved.status, 400, 'a co-owner cannot remove themselves');
  const bad = await call(ctx, 'PUT', `/api/rooms/${room.id}/settings`, camille.cookie, { ...settings, members: [{ kind: 'email', value: 'not-an-email', role: 'member' }] });
  assert.is(bad.status, 400);
});

agents('OWN-5: guests refused where the room does not allow them, allowed once the owner does; rooms made with the admin API unchanged', async (ctx) => {
  const { room, camille, settings } = await teamRoom(ctx);
  const guest = () => call(ctx, 'POST', `/api/rooms/${room.id}/guest`, undefined, { name: 'Invité' });
  const info = async (id: string) => (await call(ctx, 'GET', `/api/rooms/${id}/public`)).body as PublicRoomInfo;
  assert.equal([(await info(room.id)).guestsAllowed, (await info(room.id)).agentRoom], [false, true]);
  const refused = await guest();
  assert.is(refused.status, 403);
  assert.is(refused.body.error.code, 'GUEST_ACCESS_DISABLED');
  assert.is((await call(ctx, 'PUT', `/api/rooms/${room.id}/settings`, camille.cookie, { ...settings, guestsAllowed: true })).status, 200);
  assert.is((await info(room.id)).guestsAllowed, true);
  assert.is((await guest()).status, 200);
  const { id } = await ctx.srv!.createRoom();
  assert.equal([(await info(id)).guestsAllowed, (await info(id)).agentRoom], [true, false]);
  assert.is((await call(ctx, 'POST', `/api/rooms/${id}/guest`, undefined, { name: 'Invité' })).status, 200, 'GUEST_ACCESS applies as before');
});

agents('OWN-7: the owner downloads a weekly invitation (RFC 5545); others may not', async (ctx) => {
  const { room, camille, lea } = await teamRoom(ctx);
  const res = await fetch(`${ctx.srv!.url}/api/rooms/${room.id}/calendar.ics?weekly=1&start=2026-12-10T09:30:00.000Z&durationMin=45`, { headers: { cookie: camille.cookie } });
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/calendar/);
  assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`attachment; filename="${room.id}.ics"`));
  const ics = await res.text();
  const lines = ics.replace(/\r\n /g, '').split('\r\n');
  assert.ok(lines.includes('DTSTART:20261210T093000Z'));
  assert.ok(lines.includes('DTEND:20261210T101500Z'));
  assert.ok(lines.includes('RRULE:FREQ=WEEKLY'));
  assert.ok(lines.includes(`URL:${room.url}`));
  assert.ok(lines.some((l) => l.startsWith('UID:') && l.includes(room.id)));
  assert.is((await fetch(`${ctx.srv!.url}/api/rooms/${room.id}/calendar.ics`, { headers: { cookie: lea.cookie } })).status, 403);
  assert.is((await fetch(`${ctx.srv!.url}/api/rooms/${room.id}/calendar.ics?durationMin=0`, { headers: { cookie: camille.cookie } })).status, 400);
});

agents('OWN-8: operators list rooms by owner and hand a room over; the new owner owns it, the former does not', async (ctx) => {
  const { room, camille, paul } = await teamRoom(ctx);
  const byOwner = async (email: string) => ((await admin(ctx, 'GET', `/api/rooms?owner=${encodeURIComponent(email)}`)).body as { rooms: Array<{ id: string }> }).rooms.map((r) => r.id);
  assert.ok((await byOwner('camille.martin@ville.fr')).includes(room.id));
  assert.not.ok((await byOwner('paul@ville.fr')).includes(room.id));
  assert.is((await call(ctx, 'PUT', `/api/rooms/${room.id}/owner`, camille.cookie, { email: 'paul@ville.fr' })).status, 401, 'admin key required');
  const handed = await admin(ctx, 'PUT', `/api/rooms/${room.id}/owner`, { email: 'Paul@Ville.fr' });
  assert.is(handed.status, 200);
  assert.equal(handed.body, { id: room.id, owner: 'paul@ville.fr' });
  assert.ok((await byOwner('paul@ville.fr')).includes(room.id));
  assert.not.ok((await byOwner('camille.martin@ville.fr')).includes(room.id));
  assert.is((await sessionToken(ctx, room.id, paul.cookie)).body.relation, 'owner');
  assert.is((await sessionToken(ctx, room.id, camille.cookie)).body.relation, 'agent');
  assert.is((await admin(ctx, 'PUT', '/api/rooms/no-such-room/owner', { email: 'paul@ville.fr' })).status, 404);
  // The same through the CLI, back to Camille, and the CLI's list by owner.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-cli-'));
  try {
    const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), NOMADES_URL: ctx.srv!.url, ADMIN_KEY: ctx.srv!.adminKey };
    const cli = await runNomades(['--json', 'rooms', 'hand-over', room.id, 'camille.martin@ville.fr'], env);
    assert.is(cli.code, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout), { id: room.id, owner: 'camille.martin@ville.fr' });
    const listed = await runNomades(['--json', 'rooms', 'list', '--owner', 'camille.martin@ville.fr'], env);
    assert.is(listed.code, 0, listed.stderr);
    assert.ok((JSON.parse(listed.stdout) as { rooms: Array<{ id: string }> }).rooms.some((r) => r.id === room.id));
    assert.is((await sessionToken(ctx, room.id, camille.cookie)).body.relation, 'owner');
    assert.is((await runNomades(['rooms', 'hand-over', 'no-such-room', 'x@ville.fr'], env)).code, 2);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

agents('AUTH-11: a session that ends ends its meetings, lobbies and boards (SESSION_ENDED, final); its token is refused after; other sessions stay', async (ctx) => {
  const { room, camille, lea, paul } = await teamRoom(ctx);
  const leaToken = (await sessionToken(ctx, room.id, lea.cookie)).body.token;
  // The member opens the board without joining the meeting: the lobby pass opens it (ACCESS-5).
  const board = new Client(ctx.srv!.url, room.id, leaToken);
  ctx.boards.push(board);
  await board.synced();
  assert.is(board.authFailure, null);
  const inMeeting = await join(ctx, room.id, leaToken);
  assert.is(inMeeting.result, 'joined');
  const waiting = await join(ctx, room.id, (await sessionToken(ctx, room.id, paul.cookie)).body.token);
  assert.is(waiting.result, 'IN_LOBBY');
  const owner = await join(ctx, room.id, (await sessionToken(ctx, room.id, camille.cookie)).body.token);
  ctx.sessions.end(lea.agent, paul.agent);
  await waitFor('the member is told', () => inMeeting.closing.includes('SESSION_ENDED'));
  await waitFor('the waiting agent is told', () => waiting.closing.includes('SESSION_ENDED'));
  await waitFor('the member is disconnected', () => !inMeeting.socket.connected);
  const closed = await board.closedWith(COLLAB_CLOSE_CODES.SESSION_ENDED);
  assert.match(closed.reason, /^SESSION_ENDED/);
  assert.ok(owner.socket.connected, 'the owner stays');
  assert.equal(owner.closing, []);
  assert.is((await join(ctx, room.id, leaToken)).result, 'SESSION_ENDED', 'the old token is refused');
  const again = new Client(ctx.srv!.url, room.id, leaToken);
  ctx.boards.push(again);
  await again.synced();
  assert.match(again.authFailure ?? '', 'SESSION_ENDED');
});

agents.run();
