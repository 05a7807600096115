import path from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

/**
 * Issue 10, finding 7 on the recording side (REC-10 in recorder/README.md): the recording
 * trigger runs inside a join and a produce; when the store fails to write the recording's row, the
 * join and the produce still succeed, everyone sees the producers, no session is left half-made
 * (the session ends, no job is queued), nothing becomes an unhandled rejection, and /healthz
 * reports the fault.
 */
type Ctx = { srv?: TestServer; bots: WrtcBot[] };
const test = suite<Ctx>('recording faults', { bots: [] });
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

test.before(async (ctx) => {
  process.on('unhandledRejection', onRejection);
  ctx.srv = await startTestServer({}, { recording: {} });
});

test.after(async (ctx) => {
  for (const b of ctx.bots) b.close();
  await ctx.srv?.close();
  process.off('unhandledRejection', onRejection);
});

test('REC-10: a failing recordings store does not break joins and produces of a flagged room', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Broken store', record: true });
  // The recordings' table is gone from now on: every write of a recording fails ("no such table").
  const raw = new Database(path.join(srv.dataDir, 'nomades.db'));
  raw.exec('ALTER TABLE recordings RENAME TO recordings_away');
  raw.close();
  const ada = new WrtcBot('Ada');
  const grace = new WrtcBot('Grace');
  ctx.bots.push(ada, grace);
  await ada.join(srv.url, id, await srv.mintToken(id, 'Ada'));
  await grace.join(srv.url, id, await srv.mintToken(id, 'Grace'));
  const room = srv.server.registry.get(id)!;
  assert.is(room.peerCount, 2, 'both joined');
  assert.is(room.media.producers().length, 4, 'both produce microphone and camera');
  await waitFor('each receives the other', () => [ada, grace].every((b) => [...b.remote.values()].filter((r) => r.frames > 0).length === 2), 20_000);
  await waitFor('no session left without its row', () => !srv.server.recording.manager!.isRecording(id), 10_000);
  assert.is(await srv.server.recording.queue!.getJobCounts().then((c) => c.waiting + c.active + c.delayed), 0, 'no job was enqueued');
  const health = (await (await fetch(`${srv.url}/healthz`)).json()) as { status: string; faults?: Record<string, { count: number; lastMessage: string }> };
  assert.is(health.status, 'degraded');
  const fault = health.faults?.['recording.start'];
  assert.ok(fault && fault.count >= 1, `the fault is counted: ${JSON.stringify(health.faults)}`);
  assert.match(fault!.lastMessage, 'no such table');
  // The room stays usable: a participant leaves and the other is told.
  const left = new Promise<void>((resolve) => grace.socket.once('peerLeft', () => resolve()));
  await ada.leave();
  await left;
  assert.is(room.peerCount, 1);
  assert.equal(rejections, [], 'no unhandled rejection');
});

exitAfterRun(test);
