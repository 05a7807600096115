import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Socket } from 'socket.io-client';
import type { MyRoom, MyRoomsAnswer, PublicRoomInfo, RoomSettings, SessionTokenAnswer } from '@nomades/shared';
import { signIn } from '../helpers/signIn.js';
import { startSignInPair, type SignInPair } from '../helpers/signInServer.js';
import { COLLAB_CLOSE_CODES } from '@nomades/shared';
import { Client } from '../helpers/CollabTestClient.js';
import { AnswerValidator, type OpenApiDoc } from '../helpers/openApi.js';
import { runNomades } from '../helpers/runNomades.js';
import { connectSocket, request, RequestError } from '../helpers/signalingClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * The rooms agents run (OWN-1…8) and the room token of a session (AUTH-9, AUTH-11) over real
 * HTTP and signaling, agents signed in through a real OpenID provider (tests/helpers/OidcProvider.ts),
 * on one server (LOGOUT_ENDS_MEETINGS on by default, OWNERS_MAY_RECORD off, guests on as on loopback).
 */
interface Ctx {
  pair?: SignInPair;
  srv?: TestServer;
  /** Signed in once (the provider's logins are rate-limited): the owner, a host by group (dsi), a member by email, another agent, a co-owner. */
  camille?: Agent;
  sacha?: Agent;
  lea?: Agent;
  paul?: Agent;
  alix?: Agent;
  sockets: Socket[];
  boards: Client[];
}
const agents = suite<Ctx>('rooms agents run', { sockets: [], boards: [] });

/** An agent signed in with a TEST_ACCOUNTS account: its Cookie header, its session's logout, and who it is. */
interface Agent {
  cookie: string;
  name: string;
  email: string;
  logout(): Promise<number>;
}
async function agent(ctx: Ctx, account: string): Promise<Agent> {
  const signed = await signIn(ctx.srv!.url, { account });
  const me = (await call(ctx, 'GET', '/api/me', signed.cookieHeader)).body as { signedIn: true; name: string; email: string };
  assert.ok(me.signedIn, `${account} is signed in`);
  return {
    cookie: signed.cookieHeader,
    name: me.name,
    email: me.email,
    logout: async () => (await signed.browser.request(`${ctx.srv!.url}/auth/logout`, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } })).status,
  };
}

agents.before(async (ctx) => {
  // A 2-hour session: its tokens end with it (AUTH-9).
  ctx.pair = await startSignInPair({ SESSION_MAX_S: '7200' });
  ctx.srv = ctx.pair.srv;
  ctx.camille = await agent(ctx, 'camille');
  ctx.sacha = await agent(ctx, 'sacha');
  ctx.lea = await agent(ctx, 'lea');
  ctx.paul = await agent(ctx, 'paul');
  ctx.alix = await agent(ctx, 'alix');
});
agents.after(async (ctx) => {
  for (const b of ctx.boards) b.destroy();
  for (const s of ctx.sockets) s.close();
  await ctx.pair?.close();
});

type Call = { status: number; body: any; headers: Headers };
async function call(ctx: Ctx, method: string, path: string, cookie?: string, body?: unknown, headers: Record<string, string> = {}): Promise<Call> {
  const res = await fetch(`${ctx.srv!.url}${path}`, {
    method,
    headers: { ...(cookie ? { cookie } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), 'sec-fetch-site': 'same-origin', ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
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

/** Camille owns a team room: the group "dsi" (Sacha) hosts it, Léa is a member, Paul is another agent. */
async function teamRoom(ctx: Ctx) {
  const { camille, sacha, lea, paul, alix } = ctx as Required<Ctx>;
  const created = await call(ctx, 'POST', '/api/me/rooms', camille.cookie, { name: `Équipe ${Math.random().toString(36).slice(2, 8)}` });
  assert.is(created.status, 201);
  const room = created.body as MyRoom;
  const settings: RoomSettings = {
    name: room.name,
    owners: [camille.email],
    members: [
      { kind: 'group', value: 'dsi', role: 'host' },
      { kind: 'email', value: 'Lea.Petit@ville.example', role: 'member' },
    ],
    lobby: true,
    guestsAllowed: false,
    record: false,
  };
  const saved = await call(ctx, 'PUT', `/api/rooms/${room.id}/settings`, camille.cookie, settings);
  assert.is(saved.status, 200, JSON.stringify(saved.body));
  return { room, camille, sacha, lea, paul, alix, settings };
}

agents('AUTH-9: without a session, LOGIN_REQUIRED; an unknown room, ROOM_NOT_FOUND', async (ctx) => {
  const { id } = await ctx.srv!.createRoom();
  const none = await sessionToken(ctx, id);
  assert.is(none.status, 401);
  assert.is(none.body.error.code, 'LOGIN_REQUIRED');
  assert.is((await sessionToken(ctx, id, 'nomades_session=forged-or-expired')).body.error.code, 'LOGIN_REQUIRED');
  assert.is((await call(ctx, 'GET', '/api/me/rooms')).body.error.code, 'LOGIN_REQUIRED');
  assert.is((await call(ctx, 'POST', '/api/me/rooms', undefined, {})).status, 401);
  const missing = await sessionToken(ctx, 'no-such-room', ctx.paul!.cookie);
  assert.is(missing.status, 404);
  assert.is(missing.body.error.code, 'ROOM_NOT_FOUND');
});

agents('AUTH-9, OWN-2: the token for owner, host group, member, other agent: role, relation, identity, name, sid, lobby pass, until the session ends', async (ctx) => {
  const { room, camille, sacha, lea, paul } = await teamRoom(ctx);
  const expect = [
    [camille, 'host', 'owner', false],
    [sacha, 'host', 'host', false],
    [lea, 'participant', 'member', true],
    [paul, 'participant', 'agent', false],
  ] as const;
  const subs = new Set<string>();
  const sids = new Set<string>();
  for (const [who, role, relation, pass] of expect) {
    const res = await sessionToken(ctx, room.id, who.cookie);
    assert.is(res.status, 200, who.name);
    assert.is(res.headers.get('cache-control'), 'no-store');
    const answer = res.body as SessionTokenAnswer;
    assert.is(answer.role, role, who.name);
    assert.is(answer.relation, relation, who.name);
    const claims = await ctx.srv!.server.tokens.verify(answer.token, room.id);
    assert.match(claims.sub, /^u:[A-Za-z0-9_-]{22}$/);
    assert.is(claims.name, who.name);
    assert.is(claims.role, role);
    assert.ok(claims.sid && claims.sid.length >= 16, 'a sid');
    assert.is(claims.pass === 'lobby', pass, `${who.name}: lobby pass`);
    assert.not.ok(claims.guest);
    // The session lives 2 hours (SESSION_MAX_S): the token ends with it, not after.
    const me = (await call(ctx, 'GET', '/api/me', who.cookie)).body as { expiresAt: string };
    assert.ok(claims.exp * 1000 <= Date.parse(me.expiresAt) + 1000 && claims.exp * 1000 > Date.parse(me.expiresAt) - 10_000, 'until the session ends');
    assert.ok(claims.exp - claims.iat <= 8 * 3600);
    subs.add(claims.sub);
    sids.add(claims.sid!);
  }
  assert.is(subs.size, 4, 'one identity per agent');
  assert.is(sids.size, 4, 'one sid per session');
  const again = await ctx.srv!.server.tokens.verify(((await sessionToken(ctx, room.id, camille.cookie)).body as SessionTokenAnswer).token);
  assert.ok(subs.has(again.sub) && sids.has(again.sid!), 'the same session gives the same identity and sid');
});

agents('OWN-2: in a webinar members and other agents are attendees; owners stay hosts', async (ctx) => {
  const { alix, lea, paul } = ctx as Required<Ctx>;
  const { id } = await ctx.srv!.createRoom({ name: `Webinaire ${Math.random()}`, mode: 'webinar' });
  assert.is((await admin(ctx, 'PUT', `/api/rooms/${id}/owner`, { email: alix.email })).status, 200);
  const settings = (await call(ctx, 'GET', `/api/rooms/${id}/settings`, alix.cookie)).body as RoomSettings;
  settings.members = [{ kind: 'email', value: lea.email, role: 'member' }];
  assert.is((await call(ctx, 'PUT', `/api/rooms/${id}/settings`, alix.cookie, settings)).status, 200);
  assert.is((await sessionToken(ctx, id, alix.cookie)).body.role, 'host');
  assert.is((await sessionToken(ctx, id, lea.cookie)).body.role, 'attendee');
  assert.is((await sessionToken(ctx, id, paul.cookie)).body.role, 'attendee');
});

agents('OWN-1: "Nouvelle réunion" makes a readable room, suffixed when taken, its creator owner; any agent with the link joins directly, no lobby', async (ctx) => {
  const { camille, paul } = ctx as Required<Ctx>;
  const first = await call(ctx, 'POST', '/api/me/rooms', camille.cookie, {});
  assert.is(first.status, 201);
  const room = first.body as MyRoom;
  assert.match(room.name, /^Réunion de Camille Martin du \d{1,2} [a-zéû]+$/);
  assert.match(room.id, /^reunion-de-camille-martin-du-\d{1,2}-[a-z]+$/);
  assert.is(room.relation, 'owner');
  assert.is(room.mode, 'meeting');
  assert.is(room.url, `${ctx.srv!.url}/room/${room.id}`);
  const second = (await call(ctx, 'POST', '/api/me/rooms', camille.cookie, {})).body as MyRoom;
  assert.is(second.id, `${room.id}-2`);
  assert.is(second.name, `${room.name} (2)`);
  const coffee = (await call(ctx, 'POST', '/api/me/rooms', camille.cookie, { name: 'Café du jeudi', mode: 'coffee' })).body as MyRoom;
  assert.is(coffee.id, 'cafe-du-jeudi');
  assert.is(coffee.mode, 'coffee');
  assert.is((await ctx.srv!.server.store.get(coffee.id))?.maxParticipants, 8);
  assert.is((await call(ctx, 'POST', '/api/me/rooms', camille.cookie, { mode: 'webinar' })).status, 400);
  // The owner joins as host; another agent joins straight in (no lobby).
  assert.is((await join(ctx, room.id, (await sessionToken(ctx, room.id, camille.cookie)).body.token)).result, 'joined');
  const token = await sessionToken(ctx, room.id, paul.cookie);
  assert.is(token.body.relation, 'agent');
  assert.is((await join(ctx, room.id, token.body.token)).result, 'joined');
  const settings = (await call(ctx, 'GET', `/api/rooms/${room.id}/settings`, camille.cookie)).body as RoomSettings;
  assert.equal(settings, { name: room.name, owners: [camille.email], members: [], lobby: false, guestsAllowed: false, record: false });
});

agents('OWN-2: a team room with its lobby: another agent waits, a member passes it but not the lock, a host group comes in', async (ctx) => {
  const { room, sacha, lea, paul, camille } = await teamRoom(ctx);
  assert.is((await join(ctx, room.id, (await sessionToken(ctx, room.id, paul.cookie)).body.token)).result, 'IN_LOBBY');
  assert.is((await join(ctx, room.id, (await sessionToken(ctx, room.id, sacha.cookie)).body.token)).result, 'joined');
  assert.is((await join(ctx, room.id, (await sessionToken(ctx, room.id, camille.cookie)).body.token)).result, 'joined');
  assert.is((await admin(ctx, 'POST', `/api/rooms/${room.id}/lock`, { locked: true })).status, 204);
  const leaToken = (await sessionToken(ctx, room.id, lea.cookie)).body.token;
  assert.is((await join(ctx, room.id, leaToken)).result, 'ROOM_LOCKED');
  assert.is((await admin(ctx, 'POST', `/api/rooms/${room.id}/lock`, { locked: false })).status, 204);
  assert.is((await join(ctx, room.id, leaToken)).result, 'joined');
});

agents('OWN-4: "Mes salles" lists the rooms owned, hosted by a group, joined as member by email; not those of others', async (ctx) => {
  const { room, camille, sacha, lea, paul } = await teamRoom(ctx);
  const mine = async (who: Agent) => ((await call(ctx, 'GET', '/api/me/rooms', who.cookie)).body as MyRoomsAnswer).rooms.filter((r) => r.id === room.id);
  assert.equal(await mine(camille), [{ ...room, relation: 'owner' }]);
  assert.equal((await mine(sacha)).map((r) => r.relation), ['host']);
  assert.equal((await mine(lea)).map((r) => r.relation), ['member']);
  assert.equal(await mine(paul), []);
});

agents('OWN-3: settings only for owners (403 for host, member, other; 401 without session); cross-site changes refused and nothing changed', async (ctx) => {
  const { room, camille, sacha, lea, paul, settings } = await teamRoom(ctx);
  for (const who of [sacha, lea, paul]) {
    const get = await call(ctx, 'GET', `/api/rooms/${room.id}/settings`, who.cookie);
    assert.is(get.status, 403, who.name);
    assert.is(get.body.error.code, 'FORBIDDEN');
    assert.is((await call(ctx, 'PUT', `/api/rooms/${room.id}/settings`, who.cookie, { ...settings, name: 'Pris' })).status, 403);
  }
  assert.is((await call(ctx, 'GET', `/api/rooms/${room.id}/settings`)).status, 401);
  const changed = { ...settings, name: 'Changée ailleurs', guestsAllowed: true };
  assert.is((await call(ctx, 'PUT', `/api/rooms/${room.id}/settings`, camille.cookie, changed, { 'sec-fetch-site': 'cross-site' })).status, 403);
  const put = (headers: Record<string, string>, body: unknown) =>
    fetch(`${ctx.srv!.url}/api/rooms/${room.id}/settings`, { method: 'PUT', headers: { cookie: camille.cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  assert.is((await put({ origin: 'https://evil.example' }, changed)).status, 403);
  assert.is((await put({}, changed)).status, 403, 'neither Origin nor Sec-Fetch-Site');
  assert.is((await put({ origin: ctx.srv!.url }, { ...settings, name: 'Même origine' })).status, 200);
  const now = (await call(ctx, 'GET', `/api/rooms/${room.id}/settings`, camille.cookie)).body as RoomSettings;
  assert.is(now.name, 'Même origine');
  assert.is(now.guestsAllowed, false);
  assert.is((await call(ctx, 'POST', `/api/rooms/${room.id}/session-token`, camille.cookie, undefined, { 'sec-fetch-site': 'cross-site' })).status, 403);
  assert.is((await call(ctx, 'POST', '/api/me/rooms', camille.cookie, {}, { 'sec-fetch-site': 'same-site' })).status, 403);
});

agents('OWN-3, OWN-6: the lobby follows in the live room, co-owners are stored; recording stays the operator\'s (OWNERS_MAY_RECORD off)', async (ctx) => {
  const { room, camille, paul, alix, settings } = await teamRoom(ctx);
  const waiting = await join(ctx, room.id, (await sessionToken(ctx, room.id, paul.cookie)).body.token);
  assert.is(waiting.result, 'IN_LOBBY');
  const off = await call(ctx, 'PUT', `/api/rooms/${room.id}/settings`, camille.cookie, { ...settings, lobby: false, owners: [camille.email, 'Alix.Bernard@ville.example'] });
  assert.is(off.status, 200);
  assert.equal((off.body as RoomSettings).owners, [camille.email, alix.email]);
  assert.is((off.body as RoomSettings).lobby, false);
  await waitFor('the waiting agent is let in', async () => (await outcome(request(waiting.socket, 'join', {}))) === 'joined');
  assert.is((await sessionToken(ctx, room.id, alix.cookie)).body.relation, 'owner', 'a co-owner by email');
  const record = await call(ctx, 'PUT', `/api/rooms/${room.id}/settings`, camille.cookie, { ...settings, record: true });
  assert.is(record.status, 403);
  assert.is((await ctx.srv!.server.store.get(room.id))?.record, false);
  const selfRemoved = await call(ctx, 'PUT', `/api/rooms/${room.id}/settings`, alix.cookie, { ...settings, owners: [camille.email] });
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

agents('OpenAPI: the answers of the agent routes fit the served document', async (ctx) => {
  const v = new AnswerValidator((await (await fetch(`${ctx.srv!.url}/api/openapi.json`)).json()) as OpenApiDoc);
  const { room, camille, lea, settings } = await teamRoom(ctx);
  const check = (method: string, path: string, res: Call) => assert.equal(v.check(method, path, res.status, res.body), [], `${method} ${path} ${res.status}`);
  check('post', '/api/rooms/{id}/session-token', await sessionToken(ctx, room.id, camille.cookie));
  check('post', '/api/rooms/{id}/session-token', await sessionToken(ctx, room.id));
  check('get', '/api/me/rooms', await call(ctx, 'GET', '/api/me/rooms', camille.cookie));
  check('post', '/api/me/rooms', await call(ctx, 'POST', '/api/me/rooms', camille.cookie, { name: `Doc ${Math.random()}` }));
  check('get', '/api/rooms/{id}/settings', await call(ctx, 'GET', `/api/rooms/${room.id}/settings`, camille.cookie));
  check('get', '/api/rooms/{id}/settings', await call(ctx, 'GET', `/api/rooms/${room.id}/settings`, lea.cookie));
  check('put', '/api/rooms/{id}/settings', await call(ctx, 'PUT', `/api/rooms/${room.id}/settings`, camille.cookie, settings));
  check('get', '/api/rooms/{id}/public', await call(ctx, 'GET', `/api/rooms/${room.id}/public`));
  check('put', '/api/rooms/{id}/owner', await admin(ctx, 'PUT', `/api/rooms/${room.id}/owner`, { email: camille.email }));
  check('get', '/api/rooms', await admin(ctx, 'GET', `/api/rooms?owner=${encodeURIComponent(camille.email)}`));
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
  assert.ok((await byOwner(camille.email)).includes(room.id));
  assert.not.ok((await byOwner(paul.email)).includes(room.id));
  assert.is((await call(ctx, 'PUT', `/api/rooms/${room.id}/owner`, camille.cookie, { email: paul.email })).status, 401, 'admin key required');
  const handed = await admin(ctx, 'PUT', `/api/rooms/${room.id}/owner`, { email: 'Paul.Durand@Ville.example' });
  assert.is(handed.status, 200);
  assert.equal(handed.body, { id: room.id, owner: paul.email });
  assert.ok((await byOwner(paul.email)).includes(room.id));
  assert.not.ok((await byOwner(camille.email)).includes(room.id));
  assert.is((await sessionToken(ctx, room.id, paul.cookie)).body.relation, 'owner');
  assert.is((await sessionToken(ctx, room.id, camille.cookie)).body.relation, 'agent');
  assert.is((await admin(ctx, 'PUT', '/api/rooms/no-such-room/owner', { email: paul.email })).status, 404);
  // The same through the CLI, back to Camille, and the CLI's list by owner.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-cli-'));
  try {
    const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), NOMADES_URL: ctx.srv!.url, ADMIN_KEY: ctx.srv!.adminKey };
    const cli = await runNomades(['--json', 'rooms', 'hand-over', room.id, camille.email], env);
    assert.is(cli.code, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout), { id: room.id, owner: camille.email });
    const listed = await runNomades(['--json', 'rooms', 'list', '--owner', camille.email], env);
    assert.is(listed.code, 0, listed.stderr);
    assert.ok((JSON.parse(listed.stdout) as { rooms: Array<{ id: string }> }).rooms.some((r) => r.id === room.id));
    assert.is((await sessionToken(ctx, room.id, camille.cookie)).body.relation, 'owner');
    assert.is((await runNomades(['rooms', 'hand-over', 'no-such-room', 'x@ville.fr'], env)).code, 2);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});

agents('AUTH-11: a logout ends the meetings, lobbies and boards its session opened (SESSION_ENDED, final); its token is refused after; other sessions stay', async (ctx) => {
  const { room, camille } = await teamRoom(ctx);
  // Sessions of their own: the logouts below end them.
  const lea = await agent(ctx, 'lea');
  const paul = await agent(ctx, 'paul');
  const leaToken = (await sessionToken(ctx, room.id, lea.cookie)).body.token;
  // The member opens the board before joining the meeting: the lobby pass opens it (ACCESS-5).
  const board = new Client(ctx.srv!.url, room.id, leaToken);
  ctx.boards.push(board);
  await board.synced();
  assert.is(board.authFailure, null);
  const inMeeting = await join(ctx, room.id, leaToken);
  assert.is(inMeeting.result, 'joined');
  const waiting = await join(ctx, room.id, (await sessionToken(ctx, room.id, paul.cookie)).body.token);
  assert.is(waiting.result, 'IN_LOBBY');
  const owner = await join(ctx, room.id, (await sessionToken(ctx, room.id, camille.cookie)).body.token);
  assert.is(await lea.logout(), 303);
  assert.is(await paul.logout(), 303);
  await waitFor('the member is told', () => inMeeting.closing.includes('SESSION_ENDED'));
  await waitFor('the waiting agent is told', () => waiting.closing.includes('SESSION_ENDED'));
  await waitFor('the member is disconnected', () => !inMeeting.socket.connected);
  const closed = await board.closedWith(COLLAB_CLOSE_CODES.SESSION_ENDED);
  assert.match(closed.reason, /^SESSION_ENDED/);
  assert.ok(owner.socket.connected, 'the owner stays');
  assert.equal(owner.closing, []);
  assert.is((await join(ctx, room.id, leaToken)).result, 'SESSION_ENDED', 'the old token is refused');
  const reopened = new Client(ctx.srv!.url, room.id, leaToken);
  ctx.boards.push(reopened);
  await reopened.synced();
  assert.match(reopened.authFailure ?? '', 'SESSION_ENDED');
  assert.is((await sessionToken(ctx, room.id, lea.cookie)).body.error.code, 'LOGIN_REQUIRED', 'the session is gone');
  // The same agent's other session (another browser) is not ended.
  assert.is((await join(ctx, room.id, (await sessionToken(ctx, room.id, ctx.lea!.cookie)).body.token)).result, 'joined');
});

agents.run();
