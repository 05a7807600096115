import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Socket } from 'socket.io-client';
import type { MyRoom } from '@nomades/shared';
import { signIn } from '../helpers/signIn.js';
import { startSignInPair, type SignInPair } from '../helpers/signInServer.js';
import { connectSocket, request, roundTrip } from '../helpers/signalingClient.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * AUTH-11 with LOGOUT_ENDS_MEETINGS=0: a logout ends the session (no new token) but not the
 * meeting it opened; an operator's end of the agent's sessions (AUTH-13) still ends it.
 */
const keeps = suite<{ pair?: SignInPair; sockets: Socket[] }>('logout keeps meetings', { sockets: [] });

keeps.before(async (ctx) => {
  ctx.pair = await startSignInPair({ LOGOUT_ENDS_MEETINGS: '0' });
});
keeps.after(async (ctx) => {
  for (const s of ctx.sockets) s.close();
  await ctx.pair?.close();
});

const same = { 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' };

keeps('AUTH-11: with LOGOUT_ENDS_MEETINGS=0 a logout leaves the meeting on; an operator\'s end (AUTH-13) ends it with SESSION_ENDED', async (ctx) => {
  const url = ctx.pair!.srv.url;
  const owner = await signIn(url, { account: 'camille' });
  const member = await signIn(url, { account: 'lea' });
  const room = (await (await fetch(`${url}/api/me/rooms`, { method: 'POST', headers: { ...same, cookie: owner.cookieHeader }, body: '{}' })).json()) as MyRoom;
  const tokenOf = async (cookie: string) =>
    ((await (await fetch(`${url}/api/rooms/${room.id}/session-token`, { method: 'POST', headers: { ...same, cookie } })).json()) as { token: string }).token;
  const joinWith = async (token: string) => {
    const socket = await connectSocket(url, { token, roomId: room.id });
    ctx.sockets.push(socket);
    const closing: string[] = [];
    socket.on('closing', (d: { error: { code: string } }) => closing.push(d.error.code));
    await request(socket, 'join', {});
    return { socket, closing };
  };
  const kept = await joinWith(await tokenOf(member.cookieHeader));
  const ended = await joinWith(await tokenOf(owner.cookieHeader));

  assert.is((await member.browser.request(`${url}/auth/logout`, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } })).status, 303);
  const after = await fetch(`${url}/api/rooms/${room.id}/session-token`, { method: 'POST', headers: { ...same, cookie: member.cookieHeader } });
  assert.is(after.status, 401, 'the session ended: no new token');
  // The sessions' end is handled before the logout answers: a closing would be ahead of this barrier.
  await roundTrip(kept.socket);
  assert.ok(kept.socket.connected, 'the meeting goes on');
  assert.equal(kept.closing, []);

  const operator = await fetch(`${url}/api/agents/sessions?email=${encodeURIComponent('camille.martin@ville.example')}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${ctx.pair!.srv.adminKey}` },
  });
  assert.is(operator.status, 200);
  await waitFor('the owner\'s meeting ends', () => ended.closing.includes('SESSION_ENDED'));
  assert.ok(kept.socket.connected);
});

keeps.run();
