/**
 * A/V sync of a recording (issue 4: no drift beyond 100 ms over 10 minutes). One bot publishes a
 * sync marker (SyntheticMedia: a dark 320×240@15 picture that flashes white and a 1 kHz beep at
 * the same instant, every --period ms), another an ordinary camera and a silent microphone, in a
 * room flagged for recording for --duration seconds. The composed MP4 is then analysed
 * (tests/helpers/avSync.ts): audio − video offset of every marker, over time. The marker bot's
 * own captured tracks (arrival-time clock, before composition) are analysed the same way.
 *
 *   npm run bench:recording-sync -- --duration 600 [--period 2000] [--keep /tmp/sync-session]
 * (--keep: copy the session's folder, tracks and MP4, there before the server removes it)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { flashTimes, beepOnsets, measureAvSync, pairMarkers, type AvSyncResult } from '../../tests/helpers/avSync.js';
import { listRecordings, waitRecordingReady } from '../../tests/helpers/recordings.js';
import { startTestServer } from '../../tests/helpers/testServer.js';
import { sleep } from '../../tests/helpers/waitFor.js';
import { WrtcBot } from '../../tests/helpers/WrtcBot.js';
import { machine } from './lib/procStats.js';

const { values: args } = parseArgs({
  options: { duration: { type: 'string', default: '600' }, period: { type: 'string', default: '2000' }, keep: { type: 'string' }, segment: { type: 'string', default: '60' } },
});
const DURATION = Number(args.duration);
const PERIOD = Number(args.period);
const ms = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)} ms`;
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

function report(label: string, r: AvSyncResult): void {
  const minutes = r.pairs.length > 1 ? (r.pairs[r.pairs.length - 1].t - r.pairs[0].t) / 60 : 0;
  console.log(`  ${label}`);
  console.log(`    markers                      ${r.pairs.length} matched of ${r.flashes} flashes / ${r.beeps} beeps (unmatched: ${r.unmatchedFlashes} flashes, ${r.unmatchedBeeps} beeps) over ${minutes.toFixed(1)} min`);
  console.log(`    audio − video offset         mean ${ms(r.meanMs)}, min ${ms(r.minMs)}, max ${ms(r.maxMs)}`);
  const sorted = r.pairs.map((p) => p.offsetMs).sort((a, b) => a - b);
  const beyond = sorted.filter((o) => Math.abs(o) > 100).length;
  const at = (q: number) => ms(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
  console.log(`    beyond ±100 ms               ${beyond} of ${sorted.length} markers (median ${at(0.5)}, p95 ${at(0.95)})`);
  console.log(`    first minute → last minute   ${ms(r.firstMinuteMeanMs)} → ${ms(r.lastMinuteMeanMs)}`);
  console.log(`    drift (least squares)        ${ms(r.driftMsPerMin)} per minute → ${ms(r.driftMsPerMin * minutes)} over the ${minutes.toFixed(1)} min`);
}

// COMP-6: the file is joined from segments of this length; markers fall on both sides of every join.
const srv = await startTestServer({}, { recording: { recorderEnv: { RECORDER_SEGMENT_S: String(args.segment) } } });
const bots: WrtcBot[] = [];
const startedAt = Date.now();
let phase = 'joining';
let status = '-';
const admin = { authorization: `Bearer ${srv.adminKey}`, 'content-type': 'application/json' };
const ticker = setInterval(() => console.log(`  [${((Date.now() - startedAt) / 1000).toFixed(0)} s] ${phase}; recording ${status}; load ${load()}`), 30_000);
try {
  const { id } = await srv.createRoom({ name: 'sync' });
  const latest = async () => (await listRecordings(srv, id))[0];
  const marker = new WrtcBot('marker');
  marker.markerPeriodMs = PERIOD;
  const other = new WrtcBot('camera');
  other.toneAmplitude = 0;
  for (const bot of [marker, other]) {
    bots.push(bot);
    await bot.join(srv.url, id, await srv.mintToken(id, bot.name));
  }
  await fetch(`${srv.url}/api/rooms/${id}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ record: true }) });
  phase = 'in the room';
  const flaggedAt = Date.now();
  const watch = setInterval(() => void latest().then((r) => (status = r ? `${r.status}${r.status === 'processing' ? ` ${r.progress ?? 0} %` : ''}` : 'none'), () => undefined), 5000);
  await sleep(DURATION * 1000);
  for (const bot of bots.splice(0)) await bot.leave();
  const secondsInRoom = (Date.now() - flaggedAt) / 1000;
  phase = 'composing';
  const composeFrom = Date.now();
  const ready = await waitRecordingReady(srv, id, 30 * 60_000, 1000);
  clearInterval(watch);
  const composeSeconds = (Date.now() - composeFrom) / 1000;
  phase = 'analysing';
  const dir = path.join(srv.server.config.recordingsDir, ready.id);
  if (args.keep) fs.cpSync(dir, args.keep, { recursive: true });
  const composed = await measureAvSync(path.join(dir, `${ready.id}.mp4`));
  const own = fs.readdirSync(dir).filter((f) => f.startsWith(marker.peerId) && f.endsWith('.mkv'));
  const camera = own.find((f) => f.includes('-camera-'));
  const mic = own.find((f) => f.includes('-microphone-'));
  const tracks = camera && mic ? pairMarkers(await flashTimes(path.join(dir, camera)), await beepOnsets(path.join(dir, mic))) : undefined;

  console.log(`\n== recording A/V sync: marker every ${PERIOD} ms (flash + 1 kHz beep), ${secondsInRoom.toFixed(0)} s in a flagged room with 2 bots ==`);
  console.log(`  machine                        ${machine()}`);
  console.log(`  load average at the end        ${load()}`);
  console.log(`  session                        ${(ready.durationMs / 1000).toFixed(1)} s recorded, composed in ${composeSeconds.toFixed(0)} s`);
  report('composed MP4 (1280×720 @ 15 fps, COMP-4: a flash is seen on the first 67 ms frame that shows it)', composed);
  if (tracks) report("marker bot's captured tracks (arrival times, before composition)", tracks);
  // COMP-6: the markers nearest each join of two segments (the file's 0 is the first window's start).
  const SEG = Number(args.segment);
  const nearJoin = composed.pairs.filter((p) => p.t > SEG / 2 && Math.abs(p.t - Math.round(p.t / SEG) * SEG) <= PERIOD / 1000);
  console.log(`  markers within ${PERIOD / 1000} s of a join (segments of ${SEG} s): ${nearJoin.length}, offsets ${nearJoin.map((p) => Math.round(p.offsetMs)).join(', ')} ms`);
  clearInterval(ticker);
  await srv.close();
  process.exit(composed.pairs.length > 0 ? 0 : 1);
} catch (error) {
  console.error(error);
  clearInterval(ticker);
  for (const b of bots) b.close();
  await srv.close();
  process.exit(1);
}
