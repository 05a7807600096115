import type { Browser, BrowserContext, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ParticipantList } from '@nomades/shared';
import { assertVideoPlaying, launchBrowser, WAIT_MS } from '../helpers/browser.js';
import { Cluster } from '../helpers/Cluster.js';
import { videoFrames } from '../helpers/fieldBrowser.js';
import { sleep, waitFor } from '../helpers/waitFor.js';

/**
 * Several nodes, one service (issue #21, docs/operations/several-nodes.md): three `npm start`
 * processes on one PostgreSQL and one Redis, two Chromium browsers in a call.
 * - NODE-2: both open the room's page on a node that does not host it; their clients follow the
 *   WRONG_NODE answer to the room's node without a click, board and chat included.
 * - NODE-4: the participants API, asked of another node, is answered by the room's node.
 * - NODE-5: the hosting node is killed (SIGKILL of its process group, workers included): both
 *   play each other again on a live node, without a click; 4 s after the death nobody is listed
 *   who is not there; the chat sent before is still there (PostgreSQL).
 * - NODE-6: /metrics of a node says what it hosts and how many nodes are live.
 * - NODE-7: a rolling restart of the three nodes (SIGTERM: each drains), the room's node first: both
 *   are back after each step and the meeting never ends.
 */
interface Ctx {
  setupError?: unknown;
  cluster?: Cluster;
  browser?: Browser;
  contexts: BrowserContext[];
}
const nodes = suite<Ctx>('several nodes under two browsers', { contexts: [] });

nodes.before(async (ctx) => {
  try {
    ctx.cluster = await Cluster.start(3);
    ctx.browser = await launchBrowser();
  } catch (error) {
    ctx.setupError = error;
    process.stderr.write(`\n[hook error] "several nodes" before: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
});
nodes.before.each((ctx) => {
  if (ctx.setupError) throw ctx.setupError;
});
nodes.after(async (ctx) => {
  await Promise.all(ctx.contexts.map((c) => c.close().catch(() => undefined)));
  await ctx.browser?.close().catch(() => undefined);
  await ctx.cluster?.close();
});

const tileVideo = (peerId: string) => `[data-testid="participant-tile"][data-peer-id="${peerId}"] video`;

interface Opened {
  page: Page;
  session: string[];
  /** Hosts of the socket.io connections the page opened, in order. */
  sockets: string[];
}

async function open(ctx: Ctx, url: string, name: string, logs: string[]): Promise<Opened> {
  const context = await ctx.browser!.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1400, height: 900 } });
  ctx.contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const session: string[] = [];
  const sockets: string[] = [];
  page.on('console', (m) => {
    if (m.text().startsWith('meeting session:')) session.push(m.text());
    if (m.type() === 'error') logs.push(`[${name} console] ${m.text()}`);
  });
  page.on('pageerror', (e) => logs.push(`[${name} pageerror] ${e.message}`));
  page.on('websocket', (ws) => ws.url().includes('/socket.io/') && sockets.push(new URL(ws.url()).host));
  await page.goto(url);
  return { page, session, sockets };
}

/** The page's own peer id once it differs from `old` (after a rejoin). */
function selfIdOtherThan(page: Page, old: string): Promise<string> {
  return waitFor('a peer id', async () => {
    const id = await page.locator('[data-testid="local-tile"]').getAttribute('data-self-id').catch(() => null);
    return id && id !== old ? id : null;
  }, 3 * WAIT_MS, 50);
}

async function participants(cluster: Cluster, roomId: string): Promise<string[]> {
  const res = await cluster.admin('GET', `/api/rooms/${roomId}/participants`);
  if (res.status !== 200) throw new Error(`participants: ${res.status} ${await res.text()}`);
  return ((await res.json()) as ParticipantList).peers.map((p) => p.id).sort();
}

const host = (url: string) => new URL(url).host;

nodes('a page on any node reaches the room\'s node; its death and a drain are healed without a click', async (ctx) => {
  const cluster = ctx.cluster!;
  const logs: string[] = [];
  const withLogs = (error: Error) => {
    const nodeLogs = cluster.nodes.map((n, i) => `--- node${i} ---\n${n?.output.slice(-3000) ?? '(stopped)'}`);
    throw new Error(`${error.message}\n${logs.join('\n')}\n${nodeLogs.join('\n')}`);
  };
  const { id: roomId } = await cluster.createRoom({ name: 'Plusieurs nœuds' });
  const adaToken = await cluster.mintToken(roomId, 'Ada', 'host');
  const graceToken = await cluster.mintToken(roomId, 'Grace');

  // NODE-2: the room is placed by the first handshake; the pages are opened on the other nodes.
  const pageOn = (i: number, token: string) => `${cluster.url(i)}/room/${roomId}?token=${encodeURIComponent(token)}&autojoin=1`;
  const ada = await open(ctx, pageOn(0, adaToken), 'Ada', logs);
  await selfIdOtherThan(ada.page, '').catch(withLogs); // Ada is in: the room is placed
  const first = await cluster.hostOf(roomId).catch(withLogs);
  const elsewhere = [0, 1, 2].find((i) => i !== first && i !== 0)!;
  const grace = await open(ctx, pageOn(elsewhere, graceToken), 'Grace', logs);
  const [adaId, graceId] = await Promise.all([selfIdOtherThan(ada.page, ''), selfIdOtherThan(grace.page, '')]).catch(withLogs);
  await Promise.all([
    assertVideoPlaying(ada.page, tileVideo(graceId), 'Ada: video of Grace', logs),
    assertVideoPlaying(grace.page, tileVideo(adaId), 'Grace: video of Ada', logs),
  ]);
  assert.is(grace.sockets.at(-1), host(cluster.url(first)), `Grace's page, served by node${elsewhere}, talks to the room's node${first}`);
  assert.ok(grace.session.some((l) => l.includes(`the room is on ${cluster.url(first)}`)), grace.session.join(' | '));
  // NODE-4: asked of any node, the room's node answers.
  for (let i = 0; i < 3; i++) assert.equal(await participants(cluster, roomId), [adaId, graceId].sort());

  // The chat, kept in PostgreSQL by the room's node.
  for (const p of [ada.page, grace.page]) await p.click('[data-testid="toggle-chat"]');
  await ada.page.fill('[data-testid="chat-input"]', 'avant la panne');
  await ada.page.press('[data-testid="chat-input"]', 'Enter');
  await grace.page.locator('[data-testid="chat-message"]', { hasText: 'avant la panne' }).waitFor().catch(withLogs);

  // NODE-5: the room's node dies.
  const killedAt = Date.now();
  await cluster.kill(first);
  const [newAda, newGrace] = await Promise.all([selfIdOtherThan(ada.page, adaId), selfIdOtherThan(grace.page, graceId)]).catch(withLogs);
  const rejoinedMs = Date.now() - killedAt;
  const playing = async (page: Page, peerId: string) => {
    await waitFor(`video of ${peerId} has frames\n${logs.join('\n')}`, async () => ((await videoFrames(page, tileVideo(peerId))) ?? 0) > 0, 3 * WAIT_MS, 50);
    return Date.now() - killedAt;
  };
  const media = await Promise.all([playing(ada.page, newGrace), playing(grace.page, newAda)]);
  const second = await cluster.hostOf(roomId);
  console.log(`[nodes] SIGKILL of node${first} (the room's): both rejoined on node${second} ${rejoinedMs} ms after, playing each other again after ${Math.max(...media)} ms`);
  assert.is.not(second, first);
  await Promise.all([
    assertVideoPlaying(ada.page, tileVideo(newGrace), 'Ada: video of Grace after the death', logs),
    assertVideoPlaying(grace.page, tileVideo(newAda), 'Grace: video of Ada after the death', logs),
  ]);
  await sleep(Math.max(0, 4_000 - (Date.now() - killedAt)));
  assert.equal(await participants(cluster, roomId), [newAda, newGrace].sort(), 'no ghost 4 s after the death');
  for (const o of [ada, grace]) {
    assert.is(await o.page.locator('[data-testid="ended"]').count(), 0, 'the meeting did not end');
    assert.is(await o.page.locator('[data-testid="chat-message"]', { hasText: 'avant la panne' }).count(), 1, 'the chat from before, once');
  }
  const roles = ((await (await cluster.admin('GET', `/api/rooms/${roomId}/participants`)).json()) as ParticipantList).peers;
  assert.is(roles.find((p) => p.id === newAda)?.role, 'host', 'Ada is host again');

  // NODE-6: each node says who it is and what it hosts.
  await cluster.startNode(first); // the killed node comes back
  const metrics = await (await cluster.admin('GET', '/metrics', undefined, cluster.nodes[second]!)).text();
  assert.match(metrics, /^nomades_cluster_hosted_rooms 1$/m, 'the room\'s node hosts one room');
  await waitFor('3 live nodes in /metrics', async () => /^nomades_cluster_live_nodes 3$/m.test(await (await cluster.admin('GET', '/metrics', undefined, cluster.nodes[second]!)).text()), WAIT_MS);

  // NODE-7: a rolling restart, the room's node first, then the two others: each node in turn is
  // stopped (SIGTERM: it drains) and started again. When it hosted the room both rejoin elsewhere;
  // otherwise the meeting is untouched. The meeting goes on throughout.
  let [aId, gId] = [newAda, newGrace];
  for (const node of [second, ...[0, 1, 2].filter((i) => i !== second)]) {
    const hosting = (await cluster.hostOf(roomId)) === node;
    const linesBefore = ada.session.length;
    const stoppedAt = Date.now();
    const exit = await cluster.stop(node);
    assert.is(exit.code, 0, `node${node}: a drained node exits 0`);
    if (hosting) [aId, gId] = await Promise.all([selfIdOtherThan(ada.page, aId), selfIdOtherThan(grace.page, gId)]).catch(withLogs);
    // A draining node names where the room went (closing WRONG_NODE): the client goes straight there.
    if (hosting) assert.ok(ada.session.slice(linesBefore).some((l) => l.includes('reconnecting (closing WRONG_NODE)')), ada.session.slice(linesBefore).join(' | '));
    await Promise.all([
      assertVideoPlaying(ada.page, tileVideo(gId), `Ada: video of Grace after node${node} stopped`, logs),
      assertVideoPlaying(grace.page, tileVideo(aId), `Grace: video of Ada after node${node} stopped`, logs),
    ]);
    const now = await cluster.hostOf(roomId);
    console.log(`[nodes] rolling restart, SIGTERM of node${node} (${hosting ? 'the room\'s: drained' : 'not the room\'s'}): both playing on node${now} ${Date.now() - stoppedAt} ms after`);
    assert.is.not(now, node);
    assert.equal(await participants(cluster, roomId), [aId, gId].sort());
    await cluster.startNode(node);
  }
  for (const o of [ada, grace]) assert.is(await o.page.locator('[data-testid="ended"]').count(), 0, 'the meeting never ended');
});

nodes.run();
