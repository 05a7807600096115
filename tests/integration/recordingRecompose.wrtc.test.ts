import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RecordingInfo } from '@nomades/shared';
import { probeFile } from '../../recorder/src/ffmpeg.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { admin } from '../helpers/moderationHelpers.js';
import { listRecordings, waitRecordingReady } from '../helpers/recordings.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { WebhookReceiver } from '../helpers/WebhookReceiver.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

/**
 * Issue 20, part 1, end to end (RUN-2, COMP-3, RS-2, RS-5 in recorder/README.md): a recorded
 * meeting of two WebRTC bots whose composition hangs (the recorder's ffmpeg is a stand-in that
 * runs the real ffmpeg for captures and hangs on compositions while a flag file exists) ends
 * `failed` with a clear reason after one retry, `recording.failed` is sent and the captured
 * tracks are kept; `POST /api/recordings/:id/recompose` then composes it `ready` with the real
 * ffmpeg, a file as long as the meeting, and `recording.ready` follows. COMP-7: two rooms whose
 * meetings end together share the recorder's one composition slot; the second waits, and its
 * place shows in the API meanwhile.
 */
const SECRET = 'recompose-webhook-secret-0123456789';
type Ctx = { srv?: TestServer; dir: string; flag: string; receiver: WebhookReceiver; bots: WrtcBot[] };
const test = suite<Ctx>('recording recompose', { dir: '', flag: '', receiver: new WebhookReceiver(SECRET), bots: [] });

test.before(async (ctx) => {
  ctx.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-recompose-'));
  ctx.flag = path.join(ctx.dir, 'hang');
  const stub = path.join(ctx.dir, 'ffmpeg');
  const real = spawnSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).stdout.trim();
  fs.writeFileSync(
    stub,
    `#!/bin/bash
case " $* " in
  *" -filter_complex "*) if [ -e '${ctx.flag}' ]; then trap '' INT TERM; echo out_time_us=1000000; echo "stand-in: composition hanging" >&2; while :; do sleep 0.2; done; fi
    if [ -e '${ctx.flag}-slow' ]; then for i in 1 2 3 4 5 6; do echo out_time_us=$i; sleep 0.5; done; fi ;;
esac
exec '${real}' "$@"
`,
    { mode: 0o755 },
  );
  fs.writeFileSync(ctx.flag, '');
  const hookUrl = await ctx.receiver.listen();
  ctx.srv = await startTestServer(
    { WEBHOOK_URL: hookUrl, WEBHOOK_SECRET: SECRET },
    { recording: { recorderEnv: { FFMPEG_PATH: stub, RECORDER_COMPOSE_STALL_S: '2' } } },
  );
});

test.after(async (ctx) => {
  for (const b of ctx.bots) b.close();
  await ctx.srv?.close();
  await ctx.receiver.close();
  spawnSync('pkill', ['-KILL', '-f', path.join(ctx.dir, 'ffmpeg')]);
  fs.rmSync(ctx.dir, { recursive: true, force: true });
});

const tracksOf = (srv: TestServer, id: string) => fs.readdirSync(path.join(srv.server.config.recordingsDir, id)).filter((f) => f.endsWith('.mkv'));

test('a hanging composition fails with its reason and keeps its tracks; recompose makes it ready', async (ctx) => {
  const srv = ctx.srv!;
  const { id: roomId } = await srv.createRoom({ name: 'Recompose', record: true });
  for (const name of ['Ada', 'Bob']) {
    const bot = new WrtcBot(name);
    ctx.bots.push(bot);
    await bot.join(srv.url, roomId, await srv.mintToken(roomId, name));
  }
  const [running] = await waitFor('a recording', async () => (await listRecordings(srv, roomId)).filter((r) => r.status === 'recording'), 15_000);
  await waitFor('four tracks being written', () => tracksOf(srv, running.id).length >= 4, 20_000);
  await sleep(4000);
  for (const bot of ctx.bots.splice(0)) await bot.leave();

  const failed = await waitFor(
    'the recording to fail',
    async () => {
      const r = (await admin(srv, 'GET', `/api/recordings/${running.id}`)).json as RecordingInfo;
      return r.status === 'failed' ? r : undefined;
    },
    60_000,
  );
  assert.match(failed.error ?? '', /attempt 1 \(usual plan\): ffmpeg made no progress and was killed \(stand-in: composition hanging\)/);
  assert.match(failed.error ?? '', /attempt 2 \(safe plan\)/);
  assert.match(failed.note ?? '', /trying again with the safer plan/);
  const kept = tracksOf(srv, running.id);
  assert.ok(kept.length >= 4, `the tracks are kept: ${kept}`);
  await waitFor('recording.failed', () => ctx.receiver.deliveries.find((d) => d.type === 'recording.failed' && d.data.recordingId === running.id), 10_000);
  assert.is(spawnSync('pgrep', ['-f', path.join(ctx.dir, 'ffmpeg')]).status, 1, 'no hanging process is left');

  // Not while it is being recorded or composed; a recording that does not exist.
  const missing = await admin(srv, 'POST', '/api/recordings/rec_doesnotexist0000/recompose');
  assert.equal([missing.status, missing.code], [404, 'NOT_FOUND']);

  fs.rmSync(ctx.flag);
  const again = await admin(srv, 'POST', `/api/recordings/${running.id}/recompose`);
  assert.is(again.status, 202, JSON.stringify(again.json));
  assert.is(again.json.status, 'processing');
  assert.not.ok(again.json.error, 'the error is cleared');
  const twice = await admin(srv, 'POST', `/api/recordings/${running.id}/recompose`);
  assert.equal([twice.status, twice.code], [409, 'CONFLICT'], 'not while it is processing');

  const ready = await waitRecordingReady(srv, roomId, 90_000);
  assert.is(ready.id, running.id);
  assert.match(ready.note ?? '', /composed again at/);
  const file = await probeFile(path.join(srv.server.config.recordingsDir, ready.id, `${ready.id}.mp4`));
  assert.ok(Math.abs(file.durationSec * 1000 - ready.durationMs) < 300, `file ${file.durationSec} s, recording ${ready.durationMs} ms`);
  assert.ok(ready.durationMs > 4000, `the meeting's length: ${ready.durationMs} ms`);
  assert.equal(file.streams.map((s) => s.codec_type).sort(), ['audio', 'video']);
  await waitFor('recording.ready', () => ctx.receiver.deliveries.find((d) => d.type === 'recording.ready' && d.data.recordingId === running.id), 10_000);
});

test('COMP-7: two recordings ending together: one composes, the other waits with its place shown, then both are ready', async (ctx) => {
  const srv = ctx.srv!;
  fs.writeFileSync(`${ctx.flag}-slow`, ''); // each composition takes 3 s longer (progressing: no stall)
  const rooms: string[] = [];
  const bots: WrtcBot[] = [];
  for (const name of ['North', 'South']) {
    const { id } = await srv.createRoom({ name, record: true });
    rooms.push(id);
    const bot = new WrtcBot(name);
    bots.push(bot);
    ctx.bots.push(bot);
    await bot.join(srv.url, id, await srv.mintToken(id, name));
  }
  const recordings = await Promise.all(rooms.map((id) => waitFor('a recording', async () => (await listRecordings(srv, id)).find((r) => r.status === 'recording'), 15_000)));
  await sleep(3000);
  await Promise.all(bots.map((b) => b.leave()));
  const seen = new Map<string, number[]>();
  await waitFor(
    'both ready',
    async () => {
      const now = await Promise.all(recordings.map(async (r) => (await admin(srv, 'GET', `/api/recordings/${r.id}`)).json as RecordingInfo));
      for (const r of now) {
        if (r.status === 'failed') throw new Error(`recording failed: ${r.error}`);
        if (r.queuePosition !== undefined) seen.set(r.id, [...(seen.get(r.id) ?? []), r.queuePosition]);
      }
      return now.every((r) => r.status === 'ready') ? now : undefined;
    },
    90_000,
    100,
  );
  const waited = [...seen.entries()].filter(([, places]) => places.includes(1));
  assert.is(waited.length, 1, `one of the two waited with one composition ahead: ${JSON.stringify([...seen])}`);
  for (const r of recordings) {
    const after = (await admin(srv, 'GET', `/api/recordings/${r.id}`)).json as RecordingInfo;
    assert.is(after.queuePosition, undefined, 'no place once ready');
  }
  fs.rmSync(`${ctx.flag}-slow`);
});

exitAfterRun(test);
