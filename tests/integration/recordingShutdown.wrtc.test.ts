import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Store } from '../../server/src/store/Store.js';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { listRecordings } from '../helpers/recordings.js';
import { startTestServer, type TestServer } from '../helpers/testServer.js';
import { sleep, waitFor } from '../helpers/waitFor.js';
import { WrtcBot } from '../helpers/WrtcBot.js';

/**
 * Issue 11: a server stopped as on SIGTERM (NomadesServer.close, what main.ts runs) while a
 * flagged room is recording. The session ends with the stop, its recorder composes what it
 * captured and reports while the server still answers it, and only then does the server go:
 * afterwards the recording is `ready` in DATA_DIR with a playable file of the recorded length.
 * Real parts: redis-server, the recorder as its own process, a WrtcBot, ffprobe.
 */
type Ctx = { srv?: TestServer; bots: WrtcBot[]; dataDir?: string };
const shutdown = suite<Ctx>('recording at shutdown', { bots: [] });

shutdown.after(async (ctx) => {
  for (const b of ctx.bots.splice(0)) b.close();
  await ctx.srv?.close();
  if (ctx.dataDir) fs.rmSync(ctx.dataDir, { recursive: true, force: true });
});

shutdown('a recording in progress when the server stops is composed and ready, none lost', async (ctx) => {
  const srv = (ctx.srv = await startTestServer({}, { recording: {}, keepData: true }));
  ctx.dataDir = srv.dataDir;
  const { id: roomId } = await srv.createRoom({ name: 'Conseil', record: true });
  const bot = new WrtcBot('Ada');
  ctx.bots.push(bot);
  await bot.join(srv.url, roomId, await srv.mintToken(roomId, 'Ada'));
  const [running] = await waitFor('a recording', async () => (await listRecordings(srv, roomId)).filter((r) => r.status === 'recording'), 10_000);
  await sleep(4_000);
  // The stop, with Ada still in the room.
  await srv.close();
  const store = await Store.open({ dataDir: srv.dataDir });
  try {
    const after = await store.recordings.get(running!.id);
    assert.ok(after, 'the recording is still known');
    assert.is(after!.status, 'ready', `ready after the stop (${JSON.stringify(after)})`);
    assert.ok(after!.endedAt, 'with its end');
    const file = path.join(srv.dataDir, 'recordings', running!.id, `${running!.id}.mp4`);
    assert.ok(fs.existsSync(file), `the composed file is there (${file})`);
    const { stdout } = await promisify(execFile)('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', file]);
    const probe = JSON.parse(stdout) as { format: { duration: string }; streams: Array<{ codec_type: string }> };
    const duration = Number(probe.format.duration);
    assert.equal(probe.streams.map((s) => s.codec_type).sort(), ['audio', 'video'], 'picture and sound');
    assert.ok(duration >= 3 && duration <= 8, `about the 4 s recorded (${duration.toFixed(2)} s)`);
    console.log(`[recording] stopped while recording: ready, ${duration.toFixed(2)} s composed, ${after!.sizeBytes} bytes`);
  } finally {
    await store.close();
  }
});

exitAfterRun(shutdown);
