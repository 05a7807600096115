/**
 * Join and rejoin benchmark, by phase (as LiveKit's benchmarks report them): socket connected,
 * `join` answered, transports created, ICE+DTLS connected (each transport's
 * `connectionstatechange` → `connected`), everything present consumed, first remote video frame;
 * and the requests a join sends. For each room size and each consume path (`single`: a consume
 * and a resumeConsumer per producer; `batch`: consumeMany + resumeConsumers, SIG-17), N bots
 * (real WebRTC, as scripts/bench/room.ts: ⌈N/10⌉ processes at nice 10, one join at a time) fill
 * a room, then `--rejoins` times one of them leaves and joins again with the same token into the
 * full room (the others keep sending). Like the browser, a bot consumes every camera and every
 * unmuted microphone (SIG-10) and resumes only a page of cameras (the off-screen tiles' consumers
 * stay paused, SIG-8): the consumes are what a browser's join asks.
 *
 *   npx tsx scripts/bench/join.ts --participants 20,50 --mode single,batch --rejoins 10
 *   (--size 160x120 --fps 5 --page 4 --speakers 1: the bots' cameras and what each receives, the
 *   50-participant room benchmark's settings; --workers 1)
 */
import { parseArgs } from 'node:util';
import type { FromRunner, JoinPhases } from './lib/botRunner.js';
import { BotProcess } from './lib/BotProcess.js';
import { machine, percentile } from './lib/procStats.js';
import { startServerProcess } from './lib/serverProcess.js';

const { values: args } = parseArgs({
  options: {
    participants: { type: 'string', default: '20,50' },
    mode: { type: 'string', default: 'single,batch' },
    rejoins: { type: 'string', default: '10' },
    page: { type: 'string', default: '4' },
    speakers: { type: 'string', default: '1' },
    size: { type: 'string', default: '160x120' },
    fps: { type: 'string', default: '5' },
    workers: { type: 'string', default: '1' },
  },
});
const SIZES = args.participants!.split(',').map(Number);
const MODES = args.mode!.split(',') as Array<'single' | 'batch'>;
const REJOINS = Number(args.rejoins);
const PAGE = Number(args.page);
const SPEAKERS = Number(args.speakers);
const [WIDTH, HEIGHT] = args.size!.split('x').map(Number);
const FPS = Number(args.fps);

const PHASES: Array<[keyof JoinPhases, string]> = [
  ['connect', 'socket connected'],
  ['join', 'join answered'],
  ['transports', 'transports created'],
  ['sendConnected', 'send ICE/DTLS connected'],
  ['recvConnected', 'recv ICE/DTLS connected'],
  ['consumed', 'all present consumed'],
  ['firstFrame', 'first remote frame'],
];

interface Run {
  n: number;
  mode: 'single' | 'batch';
  joins: JoinPhases[];
  rejoins: JoinPhases[];
  lost: string[];
}

async function run(n: number, mode: 'single' | 'batch'): Promise<Run> {
  const server = await startServerProcess('server/src/main.ts', { MEDIA_WORKERS: args.workers!, GUEST_ACCESS: 'false' });
  const runners: BotProcess[] = [];
  const lost: string[] = [];
  try {
    const api = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<Record<string, string>>);
    // One seat more than the bots: a rejoin may arrive before the server has removed the one that left.
    const roomId = (await api('/api/rooms', { name: 'join bench', maxParticipants: n + 1 })).id;
    let stopping = false;
    const onEvent = (m: Extract<FromRunner, { type: 'joined' | 'lost' }>) => {
      if (stopping) return; // the bots closing at the end
      if (m.type === 'lost') lost.push(`${m.name} (${m.reason})`);
      process.stdout.write(m.type === 'lost' ? 'x' : '.');
    };
    const config = { url: server.url, roomId, page: PAGE, consumeOffPage: true, video: { width: WIDTH, height: HEIGHT, fps: FPS } };
    const procs = Math.max(1, Math.ceil(n / 10));
    for (let i = 0; i < procs; i++) runners.push(new BotProcess(config, onEvent));
    process.stdout.write(`[${n}, ${mode}] joining ${n} bots in ${procs} processes: `);
    for (let i = 0; i < n; i++) {
      const name = `bot-${i}`;
      const { token } = await api(`/api/rooms/${roomId}/tokens`, { name });
      await runners[i % procs].join({ name, token, publishVideo: true, micMuted: i >= SPEAKERS, consumeMode: mode });
    }
    const ready = await Promise.all(runners.map((r) => r.ready()));
    const joins = ready.flatMap((r) => r.phases);
    process.stdout.write(` rejoins: `);
    const rejoins: JoinPhases[] = [];
    for (let k = 0; k < REJOINS; k++) {
      // Spread over the room and the processes; never the first bot (the only one with nobody before it).
      const i = 1 + ((k * 7) % (n - 1));
      rejoins.push((await runners[i % procs].rejoin(`bot-${i}`)).phases);
      process.stdout.write('r');
    }
    process.stdout.write('\n');
    stopping = true;
    return { n, mode, joins, rejoins, lost };
  } finally {
    for (const r of runners) r.stop();
    await server.stop();
  }
}

function table(title: string, runs: Run[], pick: (r: Run) => JoinPhases[]): void {
  console.log(`\n${title}`);
  console.log(`| phase (ms from the join's start) | ${runs.map((r) => `${r.n}, ${r.mode}: p50 / p95`).join(' | ')} |`);
  console.log(`|---|${runs.map(() => '---').join('|')}|`);
  for (const [key, label] of PHASES) {
    const cells = runs.map((r) => {
      const values = pick(r).map((p) => p[key]).filter((v): v is number => typeof v === 'number');
      return values.length ? `${percentile(values, 50)} / ${percentile(values, 95)} (${values.length})` : '-';
    });
    console.log(`| ${label} | ${cells.join(' | ')} |`);
  }
  const requests = runs.map((r) => {
    const values = pick(r).map((p) => p.requests);
    return `${percentile(values, 50)} / ${Math.max(...values)} max`;
  });
  console.log(`| requests per join (p50 / max) | ${requests.join(' | ')} |`);
}

console.log(
  `join benchmark: rooms of ${SIZES.join(', ')}, paths ${MODES.join(', ')}, ${REJOINS} rejoins each; cameras ${WIDTH}×${HEIGHT} VP8 at ${FPS} fps, ` +
    `${SPEAKERS} unmuted microphones, a page of ${PAGE} videos; ${machine()}`,
);
const runs: Run[] = [];
for (const n of SIZES) for (const mode of MODES) runs.push(await run(n, mode));
table('Joins (every bot of the ramp; the first has nobody to receive)', runs, (r) => r.joins);
table(`Rejoins into the full room (${REJOINS} each)`, runs, (r) => r.rejoins);
for (const r of runs) if (r.lost.length) console.log(`lost connections (${r.n}, ${r.mode}): ${r.lost.join(', ')}`);
process.exit(0);
