import type { Socket } from 'socket.io-client';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { MyRoom } from '@nomades/shared';
import { Cluster } from '../helpers/Cluster.js';
import { OidcProvider } from '../helpers/OidcProvider.js';
import { callbackUrl } from '../helpers/signIn.js';
import { freePort } from '../helpers/signInServer.js';
import { connectSocket, request, RequestError } from '../helpers/signalingClient.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * AUTH-11 on several nodes (SessionEndRelay): an agent signed in once (sessions in the shared
 * PostgreSQL), in a meeting hosted by one node, logs out through the other node: the meeting ends
 * (SESSION_ENDED) on the node that hosts it; another agent's meeting goes on.
 */
interface Ctx {
  setupError?: unknown;
  cluster?: Cluster;
  op?: OidcProvider;
  publicUrl: string;
  sockets: Socket[];
}
const nodes = suite<Ctx>('rooms agents run, several nodes', { sockets: [], publicUrl: '' });

nodes.before(async (ctx) => {
  try {
    // One PUBLIC_URL for the service (a front in production); the tests talk to each node directly.
    ctx.publicUrl = `http://127.0.0.1:${await freePort()}`;
    ctx.op = await OidcProvider.start({ rpUrl: ctx.publicUrl });
    ctx.cluster = await Cluster.start(2, { PUBLIC_URL: ctx.publicUrl, OIDC_ISSUER: ctx.op.issuer, OIDC_CLIENT_ID: ctx.op.clientId, OIDC_CLIENT_SECRET: ctx.op.clientSecret });
  } catch (error) {
    ctx.setupError = error;
    process.stderr.write(`\n[hook error] before: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
});
nodes.before.each((ctx) => {
  if (ctx.setupError) throw ctx.setupError;
});
nodes.after(async (ctx) => {
  for (const s of ctx.sockets) s.close();
  await ctx.cluster?.close();
  await ctx.op?.close();
});

/** Signs in through node `i` (the provider's answer, meant for PUBLIC_URL, is brought to that node). */
async function signInAt(ctx: Ctx, i: number, account: string) {
  const nodeUrl = ctx.cluster!.url(i);
  const { browser, callback } = await callbackUrl(nodeUrl, { account });
  const answer = await browser.request(`${nodeUrl}${callback.pathname}${callback.search}`);
  const cookie = browser.jar.get('127.0.0.1', 'nomades_session');
  if (answer.status !== 303 || !cookie) throw new Error(`sign-in failed: ${answer.status} ${answer.headers.get('location')}`);
  return { browser, cookie: `nomades_session=${cookie}` };
}

const same = { 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' };

/** Joins as the web client does: any node, then the room's node on WRONG_NODE; answers the node's URL. */
async function join(ctx: Ctx, roomId: string, token: string) {
  let url = ctx.cluster!.url(0);
  for (let hop = 0; ; hop++) {
    try {
      const socket = await connectSocket(url, { token, roomId });
      ctx.sockets.push(socket);
      const closing: string[] = [];
      socket.on('closing', (d: { error: { code: string } }) => closing.push(d.error.code));
      await request(socket, 'join', {});
      return { socket, closing, url };
    } catch (error) {
      if (hop < 2 && error instanceof RequestError && error.error.code === 'WRONG_NODE') {
        url = String(error.error.params?.node);
        continue;
      }
      throw error;
    }
  }
}

nodes('AUTH-11: a logout through one node ends the meeting its session opened on the other node; another agent stays', async (ctx) => {
  const cluster = ctx.cluster!;
  const owner = await signInAt(ctx, 0, 'camille');
  const member = await signInAt(ctx, 0, 'lea');
  const created = await fetch(`${cluster.url(0)}/api/me/rooms`, { method: 'POST', headers: { ...same, cookie: owner.cookie }, body: '{}' });
  assert.is(created.status, 201);
  const room = (await created.json()) as MyRoom;
  const tokenOf = async (cookie: string, i: number) =>
    ((await (await fetch(`${cluster.url(i)}/api/rooms/${room.id}/session-token`, { method: 'POST', headers: { ...same, cookie } })).json()) as { token: string }).token;
  const stays = await join(ctx, room.id, await tokenOf(owner.cookie, 0));
  const leaves = await join(ctx, room.id, await tokenOf(member.cookie, 1)); // a session works on every node
  const home = [0, 1].find((i) => cluster.url(i) === leaves.url.replace(/\/$/, ''));
  assert.ok(home !== undefined, `the room's node is one of ours (${leaves.url})`);
  const other = 1 - home!;
  const logout = await member.browser.request(`${cluster.url(other)}/auth/logout`, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } });
  assert.is(logout.status, 303);
  await waitFor('the member\'s meeting on the other node ends', () => leaves.closing.includes('SESSION_ENDED'), 10_000);
  assert.ok(stays.socket.connected);
  assert.equal(stays.closing, []);
});

nodes.run();
