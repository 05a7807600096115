import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ROLE_RIGHTS, rightSchema, type Right } from '@nomades/shared';
import { request } from '../helpers/signalingClient.js';
import { admin, outcome, SigPeer } from '../helpers/moderationHelpers.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * ROLE-1…6 and MOD-7 over the real signaling protocol: every right of every role, allowed and
 * refused with its code, whatever the client sends. The expected matrix is written out here
 * (the spec's table), not read from the code under test.
 */
const roles = suite<{ srv?: TestServer; peers: SigPeer[] }>('roles', { peers: [] });

roles.before(async (ctx) => {
  ctx.srv = await startTestServer();
});
roles.after(async (ctx) => {
  for (const p of ctx.peers) p.close();
  await ctx.srv?.close();
});

type Role = 'host' | 'participant' | 'attendee';
const OK = 'accepted';
/** docs/spec/signaling.md, "Rights of each role". */
const EXPECTED: Record<Role, Record<Right, boolean>> = {
  host: { microphone: true, camera: true, screen: true, chat: true, board: true, raiseHand: true, moderate: true, captions: true, poll: true },
  participant: { microphone: true, camera: true, screen: true, chat: true, board: true, raiseHand: true, moderate: false, captions: false, poll: false },
  attendee: { microphone: false, camera: false, screen: false, chat: true, board: false, raiseHand: true, moderate: false, captions: false, poll: false },
};

roles('ROLE-1…4: the shared rights table is the spec table', () => {
  for (const role of ['host', 'participant', 'attendee'] as const) {
    for (const right of rightSchema.options) assert.is(ROLE_RIGHTS[role].has(right), EXPECTED[role][right], `${role} ${right}`);
  }
});

for (const role of ['host', 'participant', 'attendee'] as const) {
  roles(`ROLE-1…4, MOD-7: every signaled right of a ${role}, allowed or FORBIDDEN`, async (ctx) => {
    const srv = ctx.srv!;
    const { id } = await srv.createRoom({ name: `rights of ${role}` });
    const host = await SigPeer.join(srv, id, 'Host', 'host');
    const actor = role === 'host' ? await SigPeer.join(srv, id, 'Co-host', 'host') : await SigPeer.join(srv, id, `A ${role}`, role);
    const target = await SigPeer.join(srv, id, 'Target', 'participant');
    ctx.peers.push(host, actor, target);
    const targetMic = await target.produce('microphone', 9000);
    const s = actor.socket;
    const want = (right: Right) => (EXPECTED[role][right] ? OK : 'FORBIDDEN');
    const results: Array<[string, string, string]> = [];
    const check = async (what: string, right: Right, p: Promise<unknown>) => results.push([what, await outcome(p), want(right)]);

    await check('produce microphone', 'microphone', actor.produce('microphone', 1001));
    await check('produce camera', 'camera', actor.produce('camera', 1002));
    await check('produce screen', 'screen', actor.produce('screen', 1003));
    await check('raise own hand', 'raiseHand', request(s, 'setHand', { raised: true }));
    await request(target.socket, 'setHand', { raised: true });
    await check("lower another's hand", 'moderate', request(s, 'setHand', { raised: false, peerId: target.peerId }));
    await check('mute a participant', 'moderate', request(s, 'muteParticipant', { peerId: target.peerId, source: 'microphone', lock: true }));
    await check('unlock a participant', 'moderate', request(s, 'unlockParticipant', { peerId: target.peerId, source: 'microphone' }));
    await check('mute everyone', 'moderate', request(s, 'muteAll', {}));
    await check('demote', 'moderate', request(s, 'setRole', { peerId: target.peerId, role: 'attendee' }));
    await check('promote', 'moderate', request(s, 'setRole', { peerId: target.peerId, role: 'participant' }));
    await check('lock the room', 'moderate', request(s, 'setRoomLock', { locked: true }));
    await check('unlock the room', 'moderate', request(s, 'setRoomLock', { locked: false }));
    await check('turn the lobby on', 'moderate', request(s, 'setLobby', { enabled: true }));
    // Two people knock (the admin turns the lobby on if the actor could not).
    assert.is((await admin(srv, 'POST', `/api/rooms/${id}/lobby`, { enabled: true })).status, 204);
    const knockers = await Promise.all(['K1', 'K2'].map(async (n) => SigPeer.connect(srv, id, await srv.mintToken(id, n))));
    ctx.peers.push(...knockers);
    for (const k of knockers) assert.is(await outcome(request(k.socket, 'join', {})), 'IN_LOBBY');
    const lobby = await waitFor('two in the lobby', async () => {
      const l = (await admin(srv, 'GET', `/api/rooms/${id}/participants`)).json.controls.lobby as Array<{ id: string; displayName: string }>;
      return l.length === 2 ? l : null;
    });
    await check('admit from the lobby', 'moderate', request(s, 'admitFromLobby', { id: lobby.find((l) => l.displayName === 'K1')!.id }));
    await check('refuse from the lobby', 'moderate', request(s, 'refuseFromLobby', { id: lobby.find((l) => l.displayName === 'K2')!.id }));
    await check('create a poll', 'poll', request(s, 'createPoll', { question: 'Q ?', kind: 'single', options: ['a', 'b'], anonymous: false, results: 'all' }));
    await check('remove a participant', 'moderate', request(s, 'removeParticipant', { peerId: target.peerId }));

    const wrong = results.filter(([, got, expected]) => got !== expected);
    assert.equal(wrong, [], `${role}: ${wrong.map(([w, g, e]) => `${w}: got ${g}, want ${e}`).join('; ')}`);
    // The refusals changed nothing: the target is still there and unmuted when the actor may not moderate.
    const info = (await admin(srv, 'GET', `/api/rooms/${id}/participants`)).json;
    const stillThere = info.peers.some((p: { id: string }) => p.id === target.peerId);
    assert.is(stillThere, !EXPECTED[role].moderate, 'removed only by a host');
    if (!EXPECTED[role].moderate) {
      const mic = info.peers.find((p: { id: string }) => p.id === target.peerId).producers.find((p: { id: string }) => p.id === targetMic);
      assert.is(mic.paused, false, 'a refused mute did not pause the microphone');
      assert.is(info.controls.hands.length >= 1, true, 'the target keeps its raised hand');
    }
    for (const p of [host, actor, target, ...knockers]) p.close();
  });
}

roles('ROLE-5: a webinar guest token is an attendee, even if the token says participant; hosts promote and demote', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Webinar', mode: 'webinar' });
  const res = await fetch(`${srv.url}/api/rooms/${id}/guest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Viewer' }) });
  const { token } = (await res.json()) as { token: string };
  assert.is((await srv.server.tokens.verify(token, id)).role, 'attendee', 'the guest endpoint gives attendee tokens in a webinar');
  // A guest token that claims "participant" (minted before, or by hand) still joins as attendee.
  const forgedRole = (await srv.server.tokens.mint({ roomId: id, name: 'Sneaky', role: 'participant', guest: true })).token;
  const sneaky = await SigPeer.connect(srv, id, forgedRole);
  const viewer = await SigPeer.connect(srv, id, token);
  const host = await SigPeer.join(srv, id, 'Presenter', 'host');
  ctx.peers.push(sneaky, viewer, host);
  assert.is((await request(sneaky.socket, 'join', {})).role, 'attendee');
  const joined = await request(viewer.socket, 'join', {});
  viewer.peerId = joined.peerId;
  assert.is(joined.role, 'attendee');
  assert.is(await outcome(viewer.produce('camera', 2001)), 'FORBIDDEN');
  assert.is(await outcome(viewer.produce('microphone', 2002, true)), 'FORBIDDEN', 'not even paused');
  // Promoted: may publish; everyone is told. Demoted: the producers close.
  await request(host.socket, 'setRole', { peerId: viewer.peerId, role: 'participant' });
  await waitFor('roleChanged reaches the viewer', () => viewer.last('roleChanged')?.role === 'participant');
  await waitFor('roleChanged reaches the host', () => host.last('roleChanged')?.peerId === viewer.peerId);
  const cam = await viewer.produce('camera', 2003);
  assert.ok(cam);
  await request(host.socket, 'setRole', { peerId: viewer.peerId, role: 'attendee' });
  await waitFor('the host sees the camera closed', () => host.notes.some((n) => n.name === 'producerClosed' && (n.data as { producerId: string }).producerId === cam));
  assert.is(await outcome(request(viewer.socket, 'resumeProducer', { producerId: cam })), 'NOT_FOUND');
  assert.is(await outcome(viewer.produce('camera', 2004)), 'FORBIDDEN');
  // Nobody becomes host, and a host stays host.
  assert.is(await outcome(request(host.socket, 'setRole', { peerId: viewer.peerId, role: 'host' as never })), 'BAD_REQUEST');
  const cohost = await SigPeer.join(srv, id, 'Co', 'host');
  ctx.peers.push(cohost);
  assert.is(await outcome(request(host.socket, 'setRole', { peerId: cohost.peerId, role: 'attendee' })), 'FORBIDDEN');
});

roles('ROLE-6: a coffee room needs no host and welcomes guests as participants', async (ctx) => {
  const srv = ctx.srv!;
  const { id, maxParticipants } = (await srv.createRoom({ mode: 'coffee' })) as { id: string; maxParticipants?: number };
  assert.is(maxParticipants, 8);
  const res = await fetch(`${srv.url}/api/rooms/${id}/guest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Barista' }) });
  const guest = await SigPeer.connect(srv, id, ((await res.json()) as { token: string }).token);
  ctx.peers.push(guest);
  assert.is((await request(guest.socket, 'join', {})).role, 'participant');
  assert.ok(await guest.produce('camera', 3001));
});

roles.run();
