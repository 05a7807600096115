import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HocuspocusProvider } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { COLLAB_CLOSE_CODES, COLLAB_LIMITS, type ChatMessage } from '@nomades/shared';
import { Client, shape } from '../helpers/CollabTestClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { sleep, waitFor } from '../helpers/waitFor.js';

/**
 * Whiteboard and chat over /collab with the real @hocuspocus/provider (ws as WebSocket): sharing,
 * authentication, roles, limits, hostile updates, persistence across a restart, the admin API.
 * The rules are in docs/spec/collab.md (COL-n).
 */
const MAX_DOC = 256 * 1024;
process.env.COLLAB_MAX_DOCUMENT_BYTES = String(MAX_DOC);


const SCHEMA = { schemaVersion: 2, sequences: {} };

interface Ctx {
  srv?: TestServer;
  clients: Client[];
}
const collab = suite<Ctx>('collab', { clients: [] });

collab.before(async (ctx) => {
  ctx.srv = await startTestServer();
});
collab.after.each((ctx) => {
  for (const c of ctx.clients) c.destroy();
  ctx.clients = [];
});
collab.after(async (ctx) => {
  await ctx.srv?.close();
});

async function client(ctx: Ctx, roomId: string, token: string, srv = ctx.srv!): Promise<Client> {
  const c = new Client(srv.url, roomId, token);
  ctx.clients.push(c);
  await c.synced();
  return c;
}

async function admin(srv: TestServer, p: string, key = srv.adminKey): Promise<{ status: number; body: any }> {
  const res = await fetch(`${srv.url}${p}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: await res.json() };
}

collab('COL-1: two clients of a room see each other\'s shapes and chat messages', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const ada = await client(ctx, id, await srv.mintToken(id, 'Ada'));
  const bob = await client(ctx, id, await srv.mintToken(id, 'Bob'));
  assert.is(ada.authFailure, null);
  assert.is(ada.provider.authorizedScope, 'read-write');

  ada.doc.transact(() => {
    ada.doc.getMap('meta').set('schema', SCHEMA);
    ada.board.set('shape:a', shape('shape:a', 'from Ada'));
  });
  await waitFor('Bob sees Ada\'s shape', () => bob.board.get('shape:a')?.props, 5_000, 10);
  assert.equal((bob.board.get('shape:a')!.props as { text: string }).text, 'from Ada');
  bob.board.set('shape:b', shape('shape:b', 'from Bob'));
  await waitFor('Ada sees Bob\'s shape', () => ada.board.get('shape:b'), 5_000, 10);
  bob.board.delete('shape:a');
  await waitFor('Ada sees the deletion', () => !ada.board.has('shape:a'), 5_000, 10);

  const answer = await bob.say('  Hello Ada  ');
  assert.is(answer.type, 'chat.accepted');
  await waitFor('Ada receives the message', () => ada.chat.length === 1, 5_000, 10);
  const [message] = ada.chat;
  assert.is(message.text, 'Hello Ada');
  assert.is(message.authorName, 'Bob');
  assert.ok(message.authorId.startsWith('user-'));
  assert.ok(Math.abs(message.time - Date.now()) < 10_000);
  await ada.say('Hi Bob');
  await waitFor('Bob has both, in order', () => bob.chat.length === 2, 5_000, 10);
  assert.equal(bob.chat.map((m) => m.authorName), ['Bob', 'Ada']);

  // The admin API reads the same thing.
  const chat = await admin(srv, `/api/rooms/${id}/chat`);
  assert.is(chat.status, 200);
  assert.equal(chat.body.messages.map((m: ChatMessage) => m.text), ['Hello Ada', 'Hi Bob']);
  const board = await admin(srv, `/api/rooms/${id}/board`);
  assert.equal(Object.keys(board.body.store), ['shape:b']);
  assert.equal(board.body.schema, SCHEMA);
});

collab('COL-2: a token for room B cannot open rooms/A; forged, missing and unknown-room tokens are refused', async (ctx) => {
  const srv = ctx.srv!;
  const a = await srv.createRoom();
  const b = await srv.createRoom();
  const owner = await client(ctx, a.id, await srv.mintToken(a.id, 'Owner'));
  owner.board.set('shape:secret', shape('shape:secret', 'secret'));
  await owner.say('secret message');

  const intruder = await client(ctx, a.id, await srv.mintToken(b.id, 'Intruder'));
  assert.match(intruder.authFailure ?? '', /^TOKEN_WRONG_ROOM/);
  // The refusal is the server's answer for this document: a sync would have come after an acceptance, never before.
  assert.is(intruder.board.get('shape:secret'), undefined, 'no board data leaked');
  assert.is(intruder.chat.length, 0, 'no chat leaked');

  const token = await srv.mintToken(a.id, 'Forger');
  const [h, p] = token.split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), role: 'host' })).toString('base64url');
  const forged = await client(ctx, a.id, `${h}.${forgedPayload}.${token.split('.')[2]}`);
  assert.match(forged.authFailure ?? '', /^TOKEN_INVALID/);
  const missing = await client(ctx, a.id, '');
  assert.match(missing.authFailure ?? '', /^TOKEN_MISSING/);
  const otherDoc = await client(ctx, 'no-such-room', await srv.mintToken(a.id, 'Lost'));
  assert.match(otherDoc.authFailure ?? '', /^TOKEN_WRONG_ROOM/);
  assert.is(forged.chat.length + missing.chat.length + otherDoc.chat.length, 0);
});

collab('COL-3: an attendee is read-only on the board but may chat', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const host = await client(ctx, id, await srv.mintToken(id, 'Host', 'host'));
  const attendee = await client(ctx, id, await srv.mintToken(id, 'Viewer', 'attendee'));
  assert.is(attendee.provider.authorizedScope, 'readonly');
  host.board.set('shape:h', shape('shape:h'));
  await waitFor('the attendee sees the host\'s shape', () => attendee.board.get('shape:h'), 5_000, 10);
  attendee.board.set('shape:v', shape('shape:v'));
  // The barrier: a chat message sent after the drawing, answered and then relayed to the host.
  assert.is((await attendee.say('a question')).type, 'chat.accepted');
  await waitFor('the host reads it', () => host.chat.some((m) => m.text === 'a question' && m.authorName === 'Viewer'), 5_000, 10);
  assert.is(host.board.get('shape:v'), undefined, 'the attendee\'s drawing is not applied');
  assert.not.ok((await admin(srv, `/api/rooms/${id}/board`)).body.store['shape:v']);
});

collab('COL-4: chat limits: length, empty, schema, rate; others unaffected', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const talker = await client(ctx, id, await srv.mintToken(id, 'Talker'));
  const other = await client(ctx, id, await srv.mintToken(id, 'Other'));
  const long = await talker.say('x'.repeat(COLLAB_LIMITS.maxChatMessageLength + 1));
  assert.is(long.type, 'chat.refused');
  assert.is(long.type === 'chat.refused' && long.error.code, 'BAD_REQUEST');
  const empty = await talker.say('   ');
  assert.is(empty.type === 'chat.refused' && empty.error.code, 'BAD_REQUEST');
  talker.provider.sendStateless(JSON.stringify({ type: 'chat.send', requestId: 'forge', text: 'hi', authorName: 'Other' }));
  const forge = await waitFor('answer', () => talker.answers.find((a) => a.requestId === 'forge'));
  assert.is(forge.type === 'chat.refused' && forge.error.code, 'BAD_REQUEST', 'unknown fields (e.g. an author) are refused');
  assert.is((await talker.say('x'.repeat(COLLAB_LIMITS.maxChatMessageLength))).type, 'chat.accepted');

  const ids = Array.from({ length: COLLAB_LIMITS.chatBurst + 5 }, (_, i) => `burst-${i}`);
  for (const rid of ids) talker.provider.sendStateless(JSON.stringify({ type: 'chat.send', requestId: rid, text: rid }));
  await waitFor('every burst answer', () => ids.every((rid) => talker.answers.some((a) => a.requestId === rid)), 5_000, 10);
  const refused = talker.answers.filter((a) => a.type === 'chat.refused' && a.error.code === 'RATE_LIMITED');
  assert.ok(refused.length >= 5, `at least 5 of the burst are RATE_LIMITED (got ${refused.length})`);
  assert.is((await other.say('still fine')).type, 'chat.accepted', 'the other participant is unaffected');
  assert.is(talker.closes.length, 0, 'chat refusals do not close the connection');
});

collab('COL-5: hostile updates are refused and close the socket: writing the chat, bad board entries, other roots', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const honest = await client(ctx, id, await srv.mintToken(id, 'Honest'));
  await honest.say('real message');

  const cases: Array<[string, (c: Client) => void]> = [
    ['append to chat', (c) => c.doc.getArray('chat').push([{ id: 'x', authorId: 'someone', authorName: 'Honest', text: 'fake', time: 1 }])],
    ['delete from chat', (c) => c.doc.getArray('chat').delete(0, 1)],
    ['board entry with a mismatched id', (c) => c.doc.getArray('board').push([{ key: 'shape:x', val: { id: 'shape:y', typeName: 'shape' } }])],
    ['board entry that is not a record', (c) => c.doc.getArray('board').push(['just a string'])],
    ['a new root type', (c) => c.doc.getMap('evil').set('k', 'v')],
    ['a nested type', (c) => c.doc.getArray('board').push([new Y.Map()])],
    ['text content', (c) => c.doc.getText('board2').insert(0, 'hi')],
  ];
  for (const [what, act] of cases) {
    const hostile = await client(ctx, id, await srv.mintToken(id, 'Mallory'));
    await waitFor('history synced', () => hostile.chat.length === 1, 5_000, 10);
    act(hostile);
    const closed = await hostile.closedWith(COLLAB_CLOSE_CODES.FORBIDDEN_UPDATE).catch(() => {
      throw new Error(`${what}: not refused`);
    });
    assert.match(closed.reason, /^FORBIDDEN_UPDATE/, what);
    hostile.destroy();
  }
  // The barrier: a message sent after the attacks reaches the honest client; anything relayed before it has too.
  await honest.say('after the attacks');
  await waitFor('the honest client has its later message', () => honest.chat.length === 2, 5_000, 10);
  assert.equal(honest.chat.map((m) => m.text), ['real message', 'after the attacks'], 'the chat is untouched');
  assert.equal(honest.board.yarray.length, 0, 'the board is untouched');
  assert.equal(Object.keys((await admin(srv, `/api/rooms/${id}/board`)).body.store), []);
  honest.board.set('shape:ok', shape('shape:ok'));
  await waitFor('server has the honest shape', async () => (await admin(srv, `/api/rooms/${id}/board`)).body.store['shape:ok']);
});

collab('COL-6: presence must be the token holder\'s; honest presence reaches the others', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const token = await srv.mintToken(id, 'Ada');
  const ada = await client(ctx, id, token);
  const bob = await client(ctx, id, await srv.mintToken(id, 'Bob'));
  const adaId = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub as string;
  ada.provider.setAwarenessField('user', { id: adaId, name: 'Ada', color: '#f00' });
  await waitFor('Bob sees Ada\'s presence', () => bob.provider.awareness!.getStates().get(ada.doc.clientID)?.user?.name === 'Ada', 5_000, 10);

  const mallory = await client(ctx, id, await srv.mintToken(id, 'Mallory'));
  // Every presence Bob ever sees for Mallory's client, not only the last (the server drops it when Mallory goes).
  const seenForMallory: unknown[] = [];
  bob.provider.awareness!.on('update', () => seenForMallory.push(bob.provider.awareness!.getStates().get(mallory.doc.clientID)?.user));
  mallory.provider.setAwarenessField('user', { id: adaId, name: 'Ada', color: '#f00' });
  const closed = await mallory.closedWith(COLLAB_CLOSE_CODES.FORBIDDEN_UPDATE);
  assert.match(closed.reason, /token holder/);
  // The barrier: Ada's later presence change reaches Bob.
  ada.provider.setAwarenessField('user', { id: adaId, name: 'Ada', color: '#0f0' });
  await waitFor('Bob sees Ada\'s new colour', () => bob.provider.awareness!.getStates().get(ada.doc.clientID)?.user?.color === '#0f0', 5_000, 10);
  assert.not.ok(seenForMallory.some((u) => (u as { id?: string } | undefined)?.id === adaId), 'the spoofed presence was never relayed');
  assert.is(bob.provider.awareness!.getStates().get(mallory.doc.clientID), undefined);
});

collab('COL-7: document ceiling: an update past COLLAB_MAX_DOCUMENT_BYTES is refused (4413), others go on', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const big = await client(ctx, id, await srv.mintToken(id, 'Big'));
  const other = await client(ctx, id, await srv.mintToken(id, 'Other'));
  big.board.set('shape:big', { ...shape('shape:big'), props: { text: 'x'.repeat(MAX_DOC + 1) } });
  const closed = await big.closedWith(COLLAB_CLOSE_CODES.DOCUMENT_TOO_LARGE);
  assert.match(closed.reason, /^DOCUMENT_TOO_LARGE/);
  other.board.set('shape:small', shape('shape:small'));
  await waitFor('the small shape is stored', async () => (await admin(srv, `/api/rooms/${id}/board`)).body.store['shape:small']);
  assert.not.ok((await admin(srv, `/api/rooms/${id}/board`)).body.store['shape:big']);
});

/** A raw WebSocket speaking the Hocuspocus framing: document name, then message type. */
function rawSocket(srv: TestServer): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`${srv.url.replace(/^http/, 'ws')}/collab`);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, closed }));
    ws.once('error', reject);
  });
}
const frame = (doc: string, type: number, extra: number[] = []): Buffer => Buffer.from([doc.length, ...Buffer.from(doc), type, ...extra]);

collab('COL-8: pre-auth limits: messages before authentication, documents per socket, failed authentications, rate', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const timeout = <T>(p: Promise<T>) => Promise.race([p, sleep(5_000).then(() => ({ code: -1, reason: 'no close within 5 s' }))]);

  const chatty = await rawSocket(srv);
  for (let i = 0; i <= COLLAB_LIMITS.preAuthMaxMessages; i++) chatty.ws.send(frame(`rooms/${id}`, 0, [0, 0]));
  assert.is((await timeout(chatty.closed)).code, COLLAB_CLOSE_CODES.PRE_AUTH_LIMIT);

  const heavy = await rawSocket(srv);
  heavy.ws.send(Buffer.concat([frame(`rooms/${id}`, 0, [0]), Buffer.alloc(COLLAB_LIMITS.preAuthMaxBytes)]));
  assert.is((await timeout(heavy.closed)).code, COLLAB_CLOSE_CODES.PRE_AUTH_LIMIT);

  const spread = await rawSocket(srv);
  for (let i = 0; i <= COLLAB_LIMITS.maxDocumentsPerSocket; i++) spread.ws.send(frame(`rooms/doc${i}`, 0, [0, 0]));
  assert.is((await timeout(spread.closed)).code, COLLAB_CLOSE_CODES.PRE_AUTH_LIMIT);

  const guesser = await rawSocket(srv);
  for (let i = 0; i < COLLAB_LIMITS.maxAuthFailures; i++) {
    const name = `rooms/${id}-${i}`;
    guesser.ws.send(Buffer.concat([frame(name, 2, [0]), Buffer.from([5]), Buffer.from('bogus')]));
  }
  assert.is((await timeout(guesser.closed)).code, COLLAB_CLOSE_CODES.UNAUTHORIZED);

  const garbage = await rawSocket(srv);
  garbage.ws.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
  assert.is((await timeout(garbage.closed)).code, COLLAB_CLOSE_CODES.PRE_AUTH_LIMIT);

  // After authentication: a flood of document messages closes the socket with RATE_LIMITED.
  const flooder = await client(ctx, id, await srv.mintToken(id, 'Flooder'));
  for (let i = 0; i < COLLAB_LIMITS.messageBurst + 50; i++) flooder.provider.sendStateless('{}');
  const closed = await flooder.closedWith(COLLAB_CLOSE_CODES.RATE_LIMITED);
  assert.match(closed.reason, /^RATE_LIMITED/);
  const fine = await client(ctx, id, await srv.mintToken(id, 'Fine'));
  assert.is((await fine.say('the server is fine')).type, 'chat.accepted');
});

collab('COL-9: admin API: key required, unknown room 404, empty room', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom();
  const res = await fetch(`${srv.url}/api/rooms/${id}/chat`);
  assert.is(res.status, 401);
  assert.is((await admin(srv, `/api/rooms/${id}/board`, 'wrong-key-wrong-key')).status, 403);
  const unknown = await admin(srv, '/api/rooms/nope/chat');
  assert.is(unknown.status, 404);
  assert.is(unknown.body.error.code, 'ROOM_NOT_FOUND');
  assert.equal((await admin(srv, `/api/rooms/${id}/chat`)).body, { messages: [] });
  assert.equal((await admin(srv, `/api/rooms/${id}/board`)).body, { store: {}, schema: null });
});

collab('COL-10: persistence: write, stop the server, start another on the same DATA_DIR, read everything back', async (ctx) => {
  const first = await startTestServer({}, { keepData: true });
  const dataDir = first.dataDir;
  let second: TestServer | undefined;
  try {
    const { id } = await first.createRoom({ id: 'weekly' });
    const ada = await client(ctx, id, await first.mintToken(id, 'Ada'), first);
    ada.doc.transact(() => {
      ada.doc.getMap('meta').set('schema', SCHEMA);
      for (let i = 0; i < 20; i++) ada.board.set(`shape:${i}`, shape(`shape:${i}`, `n${i}`));
    });
    ada.board.delete('shape:0');
    for (let i = 0; i < 3; i++) assert.is((await ada.say(`message ${i}`)).type, 'chat.accepted');
    // The last update is acknowledged before the stop; nothing waits for a debounce.
    await waitFor('all acknowledged', () => !ada.provider.hasUnsyncedChanges, 5_000, 10);
    await first.close();
    ada.destroy();

    second = await startTestServer({}, { dataDir });
    const bob = await client(ctx, id, await second.mintToken(id, 'Bob'), second);
    await waitFor('board reloaded', () => bob.board.map.size === 19, 5_000, 10);
    assert.is(bob.board.get('shape:0'), undefined);
    assert.is((bob.board.get('shape:7')!.props as { text: string }).text, 'n7');
    assert.equal(bob.chat.map((m) => m.text), ['message 0', 'message 1', 'message 2']);
    const chat = await admin(second, `/api/rooms/${id}/chat`);
    assert.is(chat.body.messages.length, 3);
    assert.is(Object.keys((await admin(second, `/api/rooms/${id}/board`)).body.store).length, 19);
  } finally {
    await second?.close();
    if (!second) await first.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

collab('COL-11: a document whose stored data cannot be loaded is refused and its data is never overwritten', async (ctx) => {
  const first = await startTestServer({}, { keepData: true });
  const dataDir = first.dataDir;
  let second: TestServer | undefined;
  try {
    const { id } = await first.createRoom({ id: 'fragile' });
    const ada = await client(ctx, id, await first.mintToken(id, 'Ada'), first);
    await ada.say('keep me');
    await first.close();
    ada.destroy();
    const db = new Database(path.join(dataDir, 'nomades.db'));
    db.prepare('INSERT INTO collab_updates (name, data) VALUES (?, ?)').run(`rooms/${id}`, Buffer.from([1, 2, 3, 250, 251]));
    const doc = `rooms/${id}`;
    const before = db.prepare('SELECT COUNT(*) AS n FROM collab_updates WHERE name = ?').get(doc) as { n: number };
    const states = db.prepare('SELECT state FROM collab_documents WHERE name = ?').all(doc);
    db.close();

    second = await startTestServer({}, { dataDir });
    const bob = new Client(second.url, id, await second.mintToken(id, 'Bob'));
    ctx.clients.push(bob);
    await waitFor('the server refuses to open the document', () => bob.authFailure, 5_000, 20);
    bob.board.set('shape:new', shape('shape:new'));
    // The barrier: a control document on the same socket opens and answers a chat message sent after the write.
    const control = await second.createRoom();
    const controlAnswers: string[] = [];
    const controlProvider = new HocuspocusProvider({
      websocketProvider: bob.socket,
      name: `rooms/${control.id}`,
      token: await second.mintToken(control.id, 'Bob'),
      document: new Y.Doc(),
      onStateless: ({ payload }) => controlAnswers.push(payload),
    });
    controlProvider.attach();
    await waitFor('the control document syncs', () => controlProvider.isSynced, 5_000, 20);
    controlProvider.sendStateless(JSON.stringify({ type: 'chat.send', requestId: 'barrier', text: 'control' }));
    await waitFor('the control answers', () => controlAnswers.some((a) => a.includes('"barrier"')), 5_000, 20);
    controlProvider.destroy();
    assert.not.ok(bob.provider.isSynced, 'the document did not open');
    await second.close();
    second = undefined;
    const check = new Database(path.join(dataDir, 'nomades.db'));
    // (The control document of the barrier has rows of its own.)
    assert.equal(check.prepare('SELECT COUNT(*) AS n FROM collab_updates WHERE name = ?').get(doc), before, 'the log is intact');
    assert.equal(check.prepare('SELECT state FROM collab_documents WHERE name = ?').all(doc), states, 'the stored state is intact');
    check.close();
  } finally {
    await second?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

collab.run();
