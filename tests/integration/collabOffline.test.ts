import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type WebSocket from 'ws';
import type { ChatMessage } from '@nomades/shared';
import { Client, shape } from '../helpers/CollabTestClient.js';
import { TcpBlackhole } from '../helpers/TcpBlackhole.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * Issue 11, board and chat: the real @hocuspocus/provider reconnects by itself; edits made while
 * offline reach the others and the server once it is back, and no chat message is doubled by a
 * reconnection, a retry or a rejoin (COL-1, COL-4, COL-16 in docs/spec/collab.md). Offline two
 * ways: the provider's own disconnect() (a clean close), and a connection that dies silently
 * behind a TcpBlackhole (no close reaches either side; the client notices first, as a laptop whose
 * Wi-Fi drops does, and retries until the network is back).
 */
const SCHEMA = { schemaVersion: 2, sequences: {} };

interface Ctx {
  srv?: TestServer;
  clients: Client[];
  holes: TcpBlackhole[];
}
const offline = suite<Ctx>('collabOffline', { clients: [], holes: [] });

offline.before(async (ctx) => {
  ctx.srv = await startTestServer();
});
offline.after.each((ctx) => {
  for (const c of ctx.clients.splice(0)) c.destroy();
  for (const h of ctx.holes.splice(0)) h.close();
});
offline.after(async (ctx) => {
  await ctx.srv?.close();
});

async function client(ctx: Ctx, roomId: string, token: string, url = ctx.srv!.url): Promise<Client> {
  const c = new Client(url, roomId, token);
  ctx.clients.push(c);
  await c.synced();
  assert.is(c.authFailure, null);
  return c;
}

async function relay(ctx: Ctx): Promise<TcpBlackhole & { url: string }> {
  const hole = await TcpBlackhole.start(ctx.srv!.url);
  ctx.holes.push(hole);
  return hole;
}

async function adminGet(srv: TestServer, p: string): Promise<any> {
  const res = await fetch(`${srv.url}${p}`, { headers: { authorization: `Bearer ${srv.adminKey}` } });
  assert.is(res.status, 200, `GET ${p}`);
  return res.json();
}
const serverBoard = async (srv: TestServer, roomId: string): Promise<Record<string, { props?: { text?: string } }>> =>
  (await adminGet(srv, `/api/rooms/${roomId}/board`)).store;
const serverChat = async (srv: TestServer, roomId: string): Promise<ChatMessage[]> => (await adminGet(srv, `/api/rooms/${roomId}/chat`)).messages;

const texts = (messages: ChatMessage[]) => messages.map((m) => m.text);
const offlineNow = (c: Client) => waitFor('the provider is offline', () => !c.provider.isSynced && c.socket.webSocket === null, 5_000, 10);
const synced = (c: Client) => waitFor('the provider synced again', () => c.provider.isSynced, 10_000, 10);

/**
 * The client notices its connection is gone (the network interface went down) while the server
 * does not: its socket ends locally, nothing reaches the server through the cut relay.
 */
function noticeLoss(c: Client): void {
  (c.socket.webSocket as unknown as WebSocket).terminate();
}

offline('board: shapes drawn, changed and deleted while the provider is disconnected reach the other client and the server after it reconnects', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const ada = await client(ctx, id, await srv.mintToken(id, 'Ada'));
  const bob = await client(ctx, id, await srv.mintToken(id, 'Bob'));
  ada.doc.transact(() => {
    ada.doc.getMap('meta').set('schema', SCHEMA);
    ada.board.set('shape:keep', shape('shape:keep', 'before'));
    ada.board.set('shape:gone', shape('shape:gone', 'to delete'));
  });
  await waitFor('Bob has the first shapes', () => bob.board.has('shape:gone'), 5_000, 10);

  ada.socket.disconnect();
  await offlineNow(ada);
  ada.board.set('shape:off-1', shape('shape:off-1', 'drawn offline'));
  ada.board.set('shape:off-2', shape('shape:off-2', 'drawn offline too'));
  ada.board.set('shape:keep', shape('shape:keep', 'changed offline'));
  ada.board.delete('shape:gone');
  bob.board.set('shape:bob', shape('shape:bob', 'drawn by Bob meanwhile'));
  // Barrier: the server has Bob's later shape, so it would have had Ada's by now were she online.
  await waitFor("the server has Bob's shape", async () => (await serverBoard(srv, id))['shape:bob'], 5_000, 20);
  const meanwhile = await serverBoard(srv, id);
  assert.not.ok(meanwhile['shape:off-1'], 'nothing of Ada reached the server while she was offline');
  assert.ok(meanwhile['shape:gone']);
  assert.not.ok(ada.board.has('shape:bob'), 'nor did Bob reach her');

  void ada.socket.connect();
  await synced(ada);
  await waitFor("Bob has Ada's offline edits", () => bob.board.has('shape:off-2') && !bob.board.has('shape:gone'), 5_000, 10);
  await waitFor("Ada has Bob's shape", () => ada.board.has('shape:bob'), 5_000, 10);
  for (const [who, board] of [
    ['Bob', bob.board],
    ['Ada', ada.board],
  ] as const) {
    assert.equal([...board.map.keys()].sort(), ['shape:bob', 'shape:keep', 'shape:off-1', 'shape:off-2'], `${who}'s board`);
    assert.is((board.get('shape:keep')!.props as { text: string }).text, 'changed offline', `${who}: the offline change won`);
  }
  await waitFor('the server has every edit', async () => {
    const store = await serverBoard(srv, id);
    return store['shape:off-1'] && store['shape:off-2'] && store['shape:bob'] && !store['shape:gone'] && store['shape:keep']?.props?.text === 'changed offline';
  }, 5_000, 20);
});

offline('board: edits sent into a connection that died silently are not lost: the provider re-syncs them once it reconnects', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const hole = await relay(ctx);
  const ada = await client(ctx, id, await srv.mintToken(id, 'Ada'), hole.url);
  const bob = await client(ctx, id, await srv.mintToken(id, 'Bob'));
  ada.doc.transact(() => {
    ada.doc.getMap('meta').set('schema', SCHEMA);
    ada.board.set('shape:a', shape('shape:a', 'online'));
  });
  await waitFor('Bob has the first shape', () => bob.board.has('shape:a'), 5_000, 10);

  hole.cut();
  // The provider still believes it is connected: these updates are written into the dead socket.
  assert.ok(ada.provider.isSynced);
  ada.board.set('shape:void-1', shape('shape:void-1', 'into the void'));
  ada.board.set('shape:void-2', shape('shape:void-2', 'into the void too'));
  noticeLoss(ada);
  // While the network is down her reconnection attempts fail; she keeps drawing.
  await offlineNow(ada);
  ada.board.set('shape:down', shape('shape:down', 'while reconnecting'));
  bob.board.set('shape:bob', shape('shape:bob', 'meanwhile'));
  await waitFor("the server has Bob's shape", async () => (await serverBoard(srv, id))['shape:bob'], 5_000, 20);
  const meanwhile = await serverBoard(srv, id);
  assert.not.ok(meanwhile['shape:void-1'] || meanwhile['shape:down'], 'nothing of Ada crossed the cut');

  hole.restore();
  await synced(ada);
  const all = ['shape:a', 'shape:bob', 'shape:down', 'shape:void-1', 'shape:void-2'];
  await waitFor("Bob has every edit of Ada's", () => all.every((k) => bob.board.has(k)), 5_000, 10);
  await waitFor("Ada has Bob's", () => ada.board.has('shape:bob'), 5_000, 10);
  assert.equal([...ada.board.map.keys()].sort(), all);
  await waitFor('the server has them', async () => {
    const store = await serverBoard(srv, id);
    return all.every((k) => store[k]);
  }, 5_000, 20);
});

offline('chat: a message sent while the provider is disconnected is sent once it reconnects, and appears exactly once', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const ada = await client(ctx, id, await srv.mintToken(id, 'Ada'));
  const bob = await client(ctx, id, await srv.mintToken(id, 'Bob'));
  await ada.say('before');
  ada.socket.disconnect();
  await offlineNow(ada);
  // The provider queues it (its socket is closed) and sends it after the next connection opens.
  ada.provider.sendStateless(JSON.stringify({ type: 'chat.send', requestId: 'queued-1', text: 'written offline' }));
  void ada.socket.connect();
  const answer = await waitFor('the answer to the queued message', () => ada.answers.find((a) => a.requestId === 'queued-1'), 10_000, 10);
  assert.is(answer.type, 'chat.accepted');
  // Barrier: a later message of Bob's is in everyone's chat, after hers.
  await bob.say('after');
  const expected = ['before', 'written offline', 'after'];
  await waitFor('both clients have the 3 messages', () => ada.chat.length === 3 && bob.chat.length === 3, 5_000, 10);
  assert.equal(texts(await serverChat(srv, id)), expected);
  assert.equal(texts(ada.chat), expected);
  assert.equal(texts(bob.chat), expected);
  assert.is(ada.answers.filter((a) => a.requestId === 'queued-1').length, 1, 'answered once');
});

offline('chat: a message sent into a connection that died silently is not resent by the provider; the client retries it once connected', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const hole = await relay(ctx);
  const ada = await client(ctx, id, await srv.mintToken(id, 'Ada'), hole.url);
  const bob = await client(ctx, id, await srv.mintToken(id, 'Bob'));
  await ada.say('before');
  hole.cut();
  ada.provider.sendStateless(JSON.stringify({ type: 'chat.send', requestId: 'lost-1', text: 'into the void' }));
  noticeLoss(ada);
  hole.restore();
  await synced(ada);
  // Barrier: a message sent after the reconnection is answered; the lost one never was, nor posted.
  const after = await ada.say('after the reconnection');
  assert.is(after.type, 'chat.accepted');
  await waitFor('Bob has it', () => bob.chat.some((m) => m.text === 'after the reconnection'), 5_000, 10);
  assert.equal(texts(await serverChat(srv, id)), ['before', 'after the reconnection'], 'the provider did not resend the lost message');
  assert.not.ok(ada.answers.some((a) => a.requestId === 'lost-1'));
  // No answer: the client sends it again, with the same requestId.
  assert.is((await ada.say('into the void', 'lost-1')).type, 'chat.accepted');
  const expected = ['before', 'after the reconnection', 'into the void'];
  await waitFor('both clients have it', () => ada.chat.length === 3 && bob.chat.length === 3, 5_000, 10);
  assert.equal(texts(await serverChat(srv, id)), expected);
  assert.equal(texts(ada.chat), expected);
  assert.equal(texts(bob.chat), expected);
});

offline('chat: the answer lost with the connection, the retry with the same requestId is not posted twice (COL-16)', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const hole = await relay(ctx);
  const ada = await client(ctx, id, await srv.mintToken(id, 'Ada'), hole.url);
  const bob = await client(ctx, id, await srv.mintToken(id, 'Bob'));
  await ada.say('before');
  // The way back dies first: the server gets the message and posts it, its answer is lost.
  hole.cut('toClient');
  ada.provider.sendStateless(JSON.stringify({ type: 'chat.send', requestId: 'dup-1', text: 'only once' }));
  await waitFor('the server posted it', async () => texts(await serverChat(srv, id)).includes('only once'), 5_000, 20);
  hole.cut();
  noticeLoss(ada);
  hole.restore();
  await synced(ada);
  await waitFor('Ada has the message from the sync', () => ada.chat.some((m) => m.text === 'only once'), 5_000, 10);
  assert.not.ok(ada.answers.some((a) => a.requestId === 'dup-1'), 'the answer was lost');
  const posted = (await serverChat(srv, id)).find((m) => m.text === 'only once')!;
  // She never got an answer: the client sends it again, with the same requestId.
  const retry = await ada.say('only once', 'dup-1');
  assert.is(retry.type, 'chat.accepted');
  assert.is((retry as { id: string }).id, posted.id, 'the retry is answered with the message already posted');
  // Barrier: a later message is in everyone's chat; the retry added nothing before it.
  await bob.say('after');
  const expected = ['before', 'only once', 'after'];
  await waitFor('both clients have the later message', () => ada.chat.length >= 3 && bob.chat.length >= 3, 5_000, 10);
  assert.equal(texts(await serverChat(srv, id)), expected);
  assert.equal(texts(ada.chat), expected);
  assert.equal(texts(bob.chat), expected);
  // Another text under a requestId already used (a new client counting from 1 again) is a new message.
  ada.answers.splice(0); // say() matches the first answer of a requestId
  const other = await ada.say('a new message', 'dup-1');
  assert.is(other.type, 'chat.accepted');
  assert.is.not((other as { id: string }).id, posted.id);
  await waitFor('Bob has it', () => bob.chat.length === 4, 5_000, 10);
  assert.equal(texts(await serverChat(srv, id)), [...expected, 'a new message']);
});

offline('chat and board after a rejoin (the provider re-opened on a new document): every message once, the board whole', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const adaToken = await srv.mintToken(id, 'Ada');
  const first = await client(ctx, id, adaToken);
  const bob = await client(ctx, id, await srv.mintToken(id, 'Bob'));
  first.doc.transact(() => {
    first.doc.getMap('meta').set('schema', SCHEMA);
    first.board.set('shape:a', shape('shape:a', 'from the first session'));
  });
  await first.say('one', 'c1');
  await first.say('two', 'c2');
  await bob.say('three');
  await waitFor('Ada has 3 messages', () => first.chat.length === 3, 5_000, 10);
  first.destroy();
  ctx.clients.splice(ctx.clients.indexOf(first), 1);

  const again = await client(ctx, id, adaToken);
  const expected = ['one', 'two', 'three'];
  assert.equal(texts(again.chat), expected, 'the history once, from the sync');
  assert.equal(again.chat.map((m) => m.id), (await serverChat(srv, id)).map((m) => m.id));
  assert.ok(again.board.has('shape:a'));
  // The rejoined client counts its requestIds from 1 again: a new text is a new message.
  const answer = await again.say('four', 'c1');
  assert.is(answer.type, 'chat.accepted');
  await waitFor('Bob has 4 messages', () => bob.chat.length === 4, 5_000, 10);
  assert.equal(texts(await serverChat(srv, id)), [...expected, 'four']);
  assert.equal(texts(again.chat), [...expected, 'four']);
  assert.equal(texts(bob.chat), [...expected, 'four']);
});

offline.run();
