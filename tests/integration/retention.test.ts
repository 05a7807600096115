import path from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chatEraseResponseSchema, collabDocumentName, publicRoomInfoSchema } from '@nomades/shared';
import { Client } from '../helpers/CollabTestClient.js';
import { admin } from '../helpers/moderationHelpers.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * RET-2, RET-3 (docs/spec/signaling.md): chat retention and the erasure of one identity's chat
 * messages, on a live document (its connected clients see the messages go) and on a stored one
 * (no client: the store is changed); the erased texts are nowhere in collab.db afterwards. The
 * sweep is run with a clock moved forward (RetentionService.sweep(now)), never by waiting.
 */
const DAY = 24 * 60 * 60 * 1000;
const ret = suite<{ srv?: TestServer; clients: Client[] }>('retention', { clients: [] });

ret.before(async (ctx) => {
  ctx.srv = await startTestServer({ CHAT_RETENTION_DAYS: '30' });
});
ret.after.each((ctx) => {
  for (const c of ctx.clients.splice(0)) c.destroy();
});
ret.after(async (ctx) => {
  await ctx.srv?.close();
});

async function client(ctx: { srv?: TestServer; clients: Client[] }, roomId: string, name: string): Promise<Client> {
  const c = new Client(ctx.srv!.url, roomId, await ctx.srv!.mintToken(roomId, name));
  ctx.clients.push(c);
  await c.synced();
  return c;
}

async function say(c: Client, text: string): Promise<void> {
  const answer = await c.say(text);
  assert.is(answer.type, 'chat.accepted', text);
}

const chatTexts = async (srv: TestServer, roomId: string): Promise<string[]> =>
  ((await admin(srv, 'GET', `/api/rooms/${roomId}/chat`)).json.messages as Array<{ text: string }>).map((m) => m.text);

/** Whether any stored state or update of the room's document still holds `text` (its UTF-8 bytes). */
function storedAnywhere(srv: TestServer, roomId: string, text: string): boolean {
  const db = new Database(path.join(srv.dataDir, 'nomades.db'), { readonly: true });
  try {
    const name = collabDocumentName(roomId);
    const blobs = [
      ...(db.prepare('SELECT state AS b FROM collab_documents WHERE name = ?').all(name) as { b: Buffer }[]),
      ...(db.prepare('SELECT data AS b FROM collab_updates WHERE name = ?').all(name) as { b: Buffer }[]),
    ];
    return blobs.some(({ b }) => b.includes(Buffer.from(text)));
  } finally {
    db.close();
  }
}

/** Posts an old message then a newer one (a later millisecond), returns the newer one's time. */
async function oldThenNew(c: Client, oldText: string, newText: string): Promise<number> {
  await say(c, oldText);
  const oldTime = c.chat.find((m) => m.text === oldText)!.time;
  await waitFor('a later millisecond', () => Date.now() > oldTime, 1_000, 1);
  await say(c, newText);
  return (await waitFor('the newer message', () => c.chat.find((m) => m.text === newText))).time;
}

ret('RET-2: chat retention on a live document: connected clients see the old messages go; the public info tells the days', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Live chat' });
  const ada = await client(ctx, id, 'Ada');
  const bob = await client(ctx, id, 'Bob');
  const newer = await oldThenNew(ada, 'old live message', 'new live message');
  await waitFor('Bob has both', () => bob.chat.length === 2);
  // Today nothing is old enough.
  assert.is((await srv.server.retention.sweep()).chatMessagesRemoved, 0);
  assert.equal(await chatTexts(srv, id), ['old live message', 'new live message']);
  // 30 days after the newer message: the older one is past retention, the newer one is not.
  const swept = await srv.server.retention.sweep(newer + 30 * DAY);
  assert.is(swept.chatMessagesRemoved, 1);
  await waitFor('Bob sees the old message go', () => bob.chat.length === 1);
  assert.equal(bob.chat.map((m) => m.text), ['new live message']);
  assert.equal(ada.chat.map((m) => m.text), ['new live message']);
  assert.equal(await chatTexts(srv, id), ['new live message']);
  assert.not.ok(storedAnywhere(srv, id, 'old live message'), 'the removed text is not kept in nomades.db');
  assert.ok(storedAnywhere(srv, id, 'new live message'), 'the kept one is (the check can fail)');
  const info = await fetch(`${srv.url}/api/rooms/${id}/public`).then((r) => r.json());
  assert.ok(publicRoomInfoSchema.safeParse(info).success);
  assert.is(info.chatRetentionDays, 30);
});

ret('RET-2: chat retention on a stored document (no client connected): removed in the store', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Stored chat' });
  const ada = await client(ctx, id, 'Ada');
  const newer = await oldThenNew(ada, 'old stored message', 'new stored message');
  ada.destroy();
  const name = collabDocumentName(id);
  await waitFor('the document unloaded', () => !srv.server.collab.hocuspocus.documents.has(name), 10_000);
  const swept = await srv.server.retention.sweep(newer + 30 * DAY);
  assert.ok(swept.chatMessagesRemoved >= 1, 'this room\'s old message (and those of the rooms before, as old by this clock)');
  assert.not.ok(srv.server.collab.hocuspocus.documents.has(name), 'not loaded by the sweep');
  assert.equal(await chatTexts(srv, id), ['new stored message']);
  assert.not.ok(storedAnywhere(srv, id, 'old stored message'));
  // A client opening the room later reads the kept message only.
  const later = await client(ctx, id, 'Later');
  assert.equal(later.chat.map((m) => m.text), ['new stored message']);
});

ret('RET-3: DELETE /api/rooms/:id/chat/messages?identity= erases one identity\'s messages, live and stored; admin only; exact refusals', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Erase' });
  const ada = await client(ctx, id, 'Ada');
  const bob = await client(ctx, id, 'Bob');
  await say(ada, 'Ada one');
  await say(bob, 'Bob one');
  await say(ada, 'Ada two');
  await waitFor('Bob has the three', () => bob.chat.length === 3);
  const adaId = ada.chat.find((m) => m.text === 'Ada one')!.authorId;
  const bobId = ada.chat.find((m) => m.text === 'Bob one')!.authorId;
  assert.is.not(adaId, bobId);

  const refused = await fetch(`${srv.url}/api/rooms/${id}/chat/messages?identity=${encodeURIComponent(adaId)}`, { method: 'DELETE' });
  assert.is(refused.status, 401);
  assert.is((await admin(srv, 'DELETE', `/api/rooms/${id}/chat/messages`)).code, 'BAD_REQUEST');
  assert.is((await admin(srv, 'DELETE', `/api/rooms/no-such-room/chat/messages?identity=x`)).code, 'ROOM_NOT_FOUND');
  assert.equal(bob.chat.length, 3, 'nothing removed by the refused calls');

  const live = await admin(srv, 'DELETE', `/api/rooms/${id}/chat/messages?identity=${encodeURIComponent(adaId)}`);
  assert.is(live.status, 200);
  assert.equal(chatEraseResponseSchema.parse(live.json), { removed: 2 });
  await waitFor('Bob sees Ada\'s messages go', () => bob.chat.length === 1);
  assert.equal(bob.chat.map((m) => m.text), ['Bob one']);
  assert.not.ok(storedAnywhere(srv, id, 'Ada one'));
  assert.not.ok(storedAnywhere(srv, id, 'Ada two'));

  // Stored: everyone gone, then Bob's message erased from the store.
  for (const c of ctx.clients.splice(0)) c.destroy();
  await waitFor('the document unloaded', () => !srv.server.collab.hocuspocus.documents.has(collabDocumentName(id)), 10_000);
  assert.ok(storedAnywhere(srv, id, 'Bob one'));
  const stored = await admin(srv, 'DELETE', `/api/rooms/${id}/chat/messages?identity=${encodeURIComponent(bobId)}`);
  assert.equal(stored.json, { removed: 1 });
  assert.equal(await chatTexts(srv, id), []);
  assert.not.ok(storedAnywhere(srv, id, 'Bob one'));
  assert.equal((await admin(srv, 'DELETE', `/api/rooms/${id}/chat/messages?identity=${encodeURIComponent(bobId)}`)).json, { removed: 0 }, 'idempotent');
});

ret.run();
