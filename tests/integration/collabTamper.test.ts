import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { COLLAB_CLOSE_CODES, COLLAB_LIMITS, type ChatMessage } from '@nomades/shared';
import { Client, shape } from '../helpers/CollabTestClient.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * COL-5 against crafted updates, built with the yjs encoder and sent as they are over a real
 * server: an update is judged by what Yjs does with it, not by what it encodes. Each case checks
 * the refusal (4403) and that the chat, written by the server only, is what the server wrote.
 */
interface Ctx {
  srv?: TestServer;
  clients: Client[];
}
const tamper = suite<Ctx>('collab tamper', { clients: [] });

tamper.before(async (ctx) => {
  ctx.srv = await startTestServer();
});
tamper.after.each((ctx) => {
  for (const c of ctx.clients) c.destroy();
  ctx.clients = [];
});
tamper.after(async (ctx) => {
  await ctx.srv?.close();
});

async function client(ctx: Ctx, roomId: string, name: string): Promise<Client> {
  const c = new Client(ctx.srv!.url, roomId, await ctx.srv!.mintToken(roomId, name));
  ctx.clients.push(c);
  await c.synced();
  return c;
}

async function chatOf(srv: TestServer, roomId: string): Promise<ChatMessage[]> {
  const res = await fetch(`${srv.url}/api/rooms/${roomId}/chat`, { headers: { authorization: `Bearer ${srv.adminKey}` } });
  return ((await res.json()) as { messages: ChatMessage[] }).messages;
}

/** A room with one chat message from Honest, and Mallory synced to it. */
async function roomWithChat(ctx: Ctx): Promise<{ id: string; honest: Client; mallory: Client }> {
  const { id } = await ctx.srv!.createRoom();
  const honest = await client(ctx, id, 'Honest');
  assert.is((await honest.say('real message')).type, 'chat.accepted');
  const mallory = await client(ctx, id, 'Mallory');
  await waitFor('Mallory has the chat', () => mallory.chat.length === 1, 5_000, 10);
  return { id, honest, mallory };
}

tamper('COL-5: a struct that reuses the chat writer\'s client id and overlaps its message lands nowhere: 4403, chat unchanged', async (ctx) => {
  const { id, honest, mallory } = await roomWithChat(ctx);
  const before = await chatOf(ctx.srv!, id);
  // One struct of the server's client, clocks 0–1, parent "board": clock 0 is the chat message the
  // server already has, so Yjs would integrate clock 1 next to it, inside the chat.
  const forged = {
    id: 'forged',
    authorId: before[0].authorId,
    authorName: 'Honest',
    text: 'I never wrote this',
    time: Date.now(),
    key: 'shape:forged',
    val: { id: 'shape:forged', typeName: 'shape' },
  };
  const scratch = new Y.Doc();
  scratch.clientID = mallory.serverClientId;
  scratch.getArray('board').push([{ key: 'shape:cover', val: { id: 'shape:cover', typeName: 'shape' } }, forged]);
  mallory.sendRawUpdate(Y.encodeStateAsUpdate(scratch));

  const closed = await mallory.closedWith(COLLAB_CLOSE_CODES.FORBIDDEN_UPDATE);
  assert.match(closed.reason, /^FORBIDDEN_UPDATE/);
  assert.equal(await chatOf(ctx.srv!, id), before, 'the chat is what the server wrote');
  // The room goes on: the server writes the next message and clients still draw.
  assert.is((await honest.say('still here')).type, 'chat.accepted');
  honest.board.set('shape:ok', shape('shape:ok'));
  const observer = await client(ctx, id, 'Observer');
  await waitFor('the observer has the honest shape', () => observer.board.get('shape:ok'), 5_000, 10);
  assert.equal(observer.chat.map((m) => m.text), ['real message', 'still here']);
  assert.equal((await chatOf(ctx.srv!, id)).map((m) => m.text), ['real message', 'still here']);
});

tamper('COL-5: a delete set at clocks the server has not written yet is refused; the next chat message survives', async (ctx) => {
  const { id, honest, mallory } = await roomWithChat(ctx);
  const serverClient = mallory.serverClientId;
  const next = Y.getState(mallory.doc.store, serverClient);
  // An update with no struct, only a delete set for the server's next 10 clocks.
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0); // no structs
  encoding.writeVarUint(encoder, 1); // one client in the delete set
  encoding.writeVarUint(encoder, serverClient);
  encoding.writeVarUint(encoder, 1); // one range
  encoding.writeVarUint(encoder, next);
  encoding.writeVarUint(encoder, 10);
  mallory.sendRawUpdate(encoding.toUint8Array(encoder));

  const closed = await mallory.closedWith(COLLAB_CLOSE_CODES.FORBIDDEN_UPDATE);
  assert.match(closed.reason, /^FORBIDDEN_UPDATE/);
  assert.is((await honest.say('future message')).type, 'chat.accepted');
  // Any later client update makes Yjs retry what it deferred: the message must still be there.
  honest.board.set('shape:after', shape('shape:after'));
  const observer = await client(ctx, id, 'Observer');
  await waitFor('the observer has the shape', () => observer.board.get('shape:after'), 5_000, 10);
  assert.equal(observer.chat.map((m) => m.text), ['real message', 'future message']);
  assert.equal((await chatOf(ctx.srv!, id)).map((m) => m.text), ['real message', 'future message']);
});

tamper('COL-5: a struct with a gap (clocks the server does not have) is refused, never kept pending', async (ctx) => {
  const { id, honest, mallory } = await roomWithChat(ctx);
  // Clocks 0–4 of a new client go to a root the server never sees; clock 5 goes to "board" with
  // no origin: the update sent holds clock 5 only, so Yjs could not integrate it yet.
  const scratch = new Y.Doc();
  for (let i = 0; i < 5; i++) scratch.getArray('elsewhere').push([i]);
  scratch.getArray('board').push([{ key: 'shape:gap', val: { id: 'shape:gap', typeName: 'shape' } }]);
  const update = Y.encodeStateAsUpdate(scratch, Y.encodeStateVector(new Map([[scratch.clientID, 5]])));
  assert.is(Y.decodeUpdate(update).structs.length, 1);
  mallory.sendRawUpdate(update);

  const closed = await mallory.closedWith(COLLAB_CLOSE_CODES.FORBIDDEN_UPDATE);
  assert.match(closed.reason, /^FORBIDDEN_UPDATE/);
  honest.board.set('shape:fine', shape('shape:fine'));
  const observer = await client(ctx, id, 'Observer');
  await waitFor('the observer has the shape', () => observer.board.get('shape:fine'), 5_000, 10);
  assert.is(observer.board.get('shape:gap'), undefined);
  const board = (await (await fetch(`${ctx.srv!.url}/api/rooms/${id}/board`, { headers: { authorization: `Bearer ${ctx.srv!.adminKey}` } })).json()) as {
    store: Record<string, unknown>;
  };
  assert.equal(Object.keys(board.store), ['shape:fine']);
});

tamper('COL-5: honest updates still pass after refusals (the shadow is rebuilt), deletions of board entries included', async (ctx) => {
  const { id, honest } = await roomWithChat(ctx);
  const other = await client(ctx, id, 'Other');
  for (let i = 0; i < 5; i++) honest.board.set(`shape:${i}`, shape(`shape:${i}`));
  await waitFor('Other has 5 shapes', () => other.board.map.size === 5, 5_000, 10);
  const mallory = await client(ctx, id, 'Mallory');
  mallory.doc.getArray('chat').delete(0, 1);
  await mallory.closedWith(COLLAB_CLOSE_CODES.FORBIDDEN_UPDATE);
  other.board.delete('shape:0');
  other.doc.getMap('meta').set('schema', { schemaVersion: 2, sequences: {} });
  honest.board.set('shape:5', shape('shape:5'));
  await waitFor('Honest sees the deletion', () => !honest.board.has('shape:0'), 5_000, 10);
  await waitFor('Other sees shape 5', () => other.board.has('shape:5'), 5_000, 10);
  assert.is(honest.closes.length + other.closes.length, 0, 'honest clients are never closed');
  assert.equal(other.chat.map((m) => m.text), ['real message']);
});

tamper('COL-13: chat records are strict on read: extra fields, absurd times, unbounded strings in storage are never returned', async (ctx) => {
  const first = await startTestServer({}, { keepData: true });
  const dataDir = first.dataDir;
  let second: TestServer | undefined;
  try {
    const { id } = await first.createRoom({ id: 'strict-chat' });
    const ada = new Client(first.url, id, await first.mintToken(id, 'Ada'));
    ctx.clients.push(ada);
    await ada.synced();
    assert.is((await ada.say('a real message')).type, 'chat.accepted');
    const real = (await chatOf(first, id))[0];
    await first.close();
    ada.destroy();

    // Records no client can send, written into the store directly while the server is stopped.
    const db = new Database(path.join(dataDir, 'nomades.db'));
    const name = `rooms/${id}`;
    const doc = new Y.Doc();
    const state = db.prepare('SELECT state FROM collab_documents WHERE name = ?').get(name) as { state: Buffer } | undefined;
    if (state) Y.applyUpdate(doc, state.state);
    for (const row of db.prepare('SELECT data FROM collab_updates WHERE name = ? ORDER BY seq').all(name) as { data: Buffer }[]) Y.applyUpdate(doc, row.data);
    assert.equal(doc.getArray('chat').toArray(), [real]);
    const before = Y.encodeStateVector(doc);
    const base = { id: 'm', authorId: 'user-x', authorName: 'X', text: 'bad', time: Date.now() };
    doc.getArray('chat').push([
      { ...base, id: 'extra', key: 'shape:x', val: { id: 'shape:x', typeName: 'shape' } },
      { ...base, id: 'far-future', time: 1e20 },
      { ...base, id: 'past-date-max', time: 8.64e15 + 1 },
      { ...base, id: 'negative', time: -1 },
      { ...base, id: 'long-text', text: 'x'.repeat(COLLAB_LIMITS.maxChatMessageLength + 1) },
      { ...base, id: 'long-name', authorName: 'n'.repeat(1000) },
      { ...base, id: 'i'.repeat(1000) },
      'not a record',
      { ...base, id: 'fine-too' },
    ]);
    db.prepare('INSERT INTO collab_updates (name, data) VALUES (?, ?)').run(name, Buffer.from(Y.encodeStateAsUpdate(doc, before)));
    db.close();

    second = await startTestServer({}, { dataDir });
    const messages = await chatOf(second, id);
    assert.equal(messages, [real, { ...base, id: 'fine-too' }], 'only records that pass the strict schema');
    const bob = new Client(second.url, id, await second.mintToken(id, 'Bob'));
    ctx.clients.push(bob);
    await bob.synced();
    assert.is((await bob.say('after')).type, 'chat.accepted', 'the room goes on');
    assert.equal((await chatOf(second, id)).map((m) => m.id).slice(0, 2), [real.id, 'fine-too']);
  } finally {
    await second?.close();
    if (!second) await first.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

tamper.run();
