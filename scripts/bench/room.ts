/**
 * Room load benchmark: N synthetic participants with real WebRTC (@roamhq/wrtc +
 * mediasoup-client, the browser's signaling), publishing real encoded audio (Opus) and video
 * (VP8), subscribing like the browser client (every unmuted microphone, SIG-10, and one page of
 * videos). Bots join one at a time and run at nice 10 (they share the machine with the server
 * they measure). Runs the same load against nomades-visio and against bare mediasoup
 * (scripts/bench/bareSfu.ts) and prints both, and our overhead over raw mediasoup.
 *
 *   npm run bench:room -- --participants 50 --video 50 --page 4 --size 160x120 --fps 5 --speakers 1 --duration 60
 *   (--speakers N: microphones unmuted, the others muted; --size 320x240 --fps 15: bot cameras, the defaults)
 *   (--target ours|bare|both, default both; --workers N for ours, default 1 to compare fairly)
 *   (--bot-procs N: bot processes, default ⌈N/10⌉; --verbose: each bot's join steps)
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { BotSpec, FromRunner } from './lib/botRunner.js';
import { BotProcess } from './lib/BotProcess.js';
import { childPids, cpuShare, machine, percentile, sampleProcess, udpDropsByProcess, udpReceiveBufferDrops, type ProcSample } from './lib/procStats.js';
import { startServerProcess, type ServerProcess } from './lib/serverProcess.js';

const { values: args } = parseArgs({
  options: {
    participants: { type: 'string', default: '10' },
    video: { type: 'string' },
    page: { type: 'string', default: '9' },
    speakers: { type: 'string', default: '3' },
    size: { type: 'string', default: '320x240' },
    fps: { type: 'string', default: '15' },
    duration: { type: 'string', default: '30' },
    workers: { type: 'string', default: '1' },
    target: { type: 'string', default: 'both' },
    'bot-procs': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const N = Number(args.participants);
const VIDEO = Number(args.video ?? N);
const PAGE = Number(args.page);
const DURATION = Number(args.duration);
const SPEAKERS = Number(args.speakers);
const [WIDTH, HEIGHT] = args.size!.split('x').map(Number);
const FPS = Number(args.fps);
const BOT_PROCS = Number(args['bot-procs'] ?? Math.max(1, Math.ceil(N / 10)));

/** Bots whose connection to the server ended before the run did, with why and when. */
const lostBots: string[] = [];
const startedAt = Date.now();

interface Result {
  target: string;
  joined: number;
  /** Bots that lost their connection before the end of the measurement. */
  lost: string[];
  joinMs: number[];
  /** From the first join to the last bot set up (joins one at a time). */
  rampSeconds: number;
  /** Datagrams dropped by the kernel (full UDP receive buffers, any socket) during the measurement. */
  udpDrops: number;
  /** Drops counted on the server's and workers' sockets, and on the bots', since they opened. */
  sfuSocketDrops: number;
  botSocketDrops: number;
  /** Worst event-loop delay of a bot process during the measurement. */
  botLoopDelayMaxMs: number;
  serverCpu: number;
  workersCpu: number[];
  botsCpu: number;
  serverRssMb: number;
  workersRssMb: number;
  rxMbps: number;
  rxPps: number;
  lossPct: number;
  fps: number;
  videoStreams: number;
  audioStreams: number;
}

async function run(target: 'ours' | 'bare'): Promise<Result> {
  const server: ServerProcess =
    target === 'ours'
      ? await startServerProcess('server/src/main.ts', { MEDIA_WORKERS: args.workers!, GUEST_ACCESS: 'false' })
      : await startServerProcess('scripts/bench/bareSfu.ts', {});
  let runners: BotProcess[] = [];
  try {
    let roomId = 'bare';
    const tokenFor = async (name: string): Promise<string> => {
      if (target === 'bare') return 'none';
      const res = await fetch(`${server.url}/api/rooms/${roomId}/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      return ((await res.json()) as { token: string }).token;
    };
    if (target === 'ours') {
      const res = await fetch(`${server.url}/api/rooms`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'bench', maxParticipants: Math.max(2, N) }),
      });
      roomId = ((await res.json()) as { id: string }).id;
    }
    // The bots, spread round-robin over BOT_PROCS processes, join one after the other (each join
    // waits for the previous one to be fully set up), as people arrive in a meeting.
    lostBots.length = 0;
    const onEvent = (m: Extract<FromRunner, { type: 'joined' | 'lost' }>) => {
      if (m.type === 'lost') {
        process.stdout.write('x');
        lostBots.push(`${m.name} (${m.reason}, ${((Date.now() - startedAt) / 1000).toFixed(0)} s)`);
      } else if (args.verbose) console.log(`${m.name} joined: ${m.steps.map(([step, ms]) => `${step} ${ms}`).join(', ')} ms`);
      else process.stdout.write('.');
    };
    const config = { url: server.url, roomId, page: PAGE, video: { width: WIDTH, height: HEIGHT, fps: FPS } };
    runners = Array.from({ length: BOT_PROCS }, () => new BotProcess(config, onEvent));
    process.stdout.write(`[${target}] joining ${N} bots in ${BOT_PROCS} processes ('.' joined, 'x' lost): `);
    const rampStartedAt = Date.now();
    for (let i = 0; i < N; i++) {
      const spec: BotSpec = { name: `bot-${i}`, token: await tokenFor(`bot-${i}`), publishVideo: i < VIDEO, micMuted: i >= SPEAKERS };
      await runners[i % BOT_PROCS].join(spec);
    }
    const rampSeconds = (Date.now() - rampStartedAt) / 1000;
    const ready = await Promise.all(runners.map((r) => r.ready()));
    process.stdout.write(` ${rampSeconds.toFixed(0)} s\n`);
    const joinMs = ready.flatMap((r) => r.joinMs);
    await new Promise((r) => setTimeout(r, 3000)); // settle
    const workerPids = childPids(server.pid).filter((pid) => sampleProcess(pid)?.name.startsWith('mediasoup'));
    const sample = () => ({
      server: sampleProcess(server.pid),
      workers: workerPids.map((p) => sampleProcess(p)),
      bots: runners.map((r) => sampleProcess(r.pid)),
      at: Date.now(),
    });
    const totals = async () => {
      const all = await Promise.all(runners.map((r) => r.totals()));
      return { loopDelayMaxMs: Math.max(...all.map((t) => t.loopDelayMaxMs)), bytes: all.reduce((n, t) => n + t.bytes, 0), packets: all.reduce((n, t) => n + t.packets, 0), packetsLost: all.reduce((n, t) => n + t.packetsLost, 0), framesDecoded: all.reduce((n, t) => n + t.framesDecoded, 0) };
    };
    const rx0 = await totals();
    const drops0 = udpReceiveBufferDrops();
    const s0 = sample();
    process.stdout.write(`[${target}] measuring ${DURATION} s… `);
    await new Promise((r) => setTimeout(r, DURATION * 1000));
    const s1 = sample();
    const rx1 = await totals();
    const udpDrops = udpReceiveBufferDrops() - drops0;
    const dropsBy = udpDropsByProcess();
    const dropsOf = (pids: number[]) => pids.reduce((n, pid) => n + (dropsBy.get(pid) ?? 0), 0);
    const lostDuringRun = lostBots.splice(0);
    process.stdout.write('done\n');
    const seconds = (s1.at - s0.at) / 1000;
    const packets = rx1.packets - rx0.packets;
    const lost = rx1.packetsLost - rx0.packetsLost;
    return {
      target,
      joined: N,
      rampSeconds,
      udpDrops,
      sfuSocketDrops: dropsOf([server.pid, ...workerPids]),
      botSocketDrops: dropsOf(runners.map((r) => r.pid)),
      botLoopDelayMaxMs: rx1.loopDelayMaxMs,
      lost: lostDuringRun,
      joinMs,
      serverCpu: cpuShare(s0.server, s1.server, seconds),
      workersCpu: s0.workers.map((w, i) => cpuShare(w, s1.workers[i], seconds)),
      botsCpu: s0.bots.reduce((n, b, i) => n + cpuShare(b, s1.bots[i], seconds), 0),
      serverRssMb: (s1.server?.rssBytes ?? 0) / 2 ** 20,
      workersRssMb: s1.workers.reduce((n, w: ProcSample | undefined) => n + (w?.rssBytes ?? 0), 0) / 2 ** 20,
      rxMbps: ((rx1.bytes - rx0.bytes) * 8) / 1e6 / seconds,
      rxPps: packets / seconds,
      lossPct: packets + lost > 0 ? (100 * lost) / (packets + lost) : 0,
      fps: (rx1.framesDecoded - rx0.framesDecoded) / seconds,
      videoStreams: ready.reduce((n, r) => n + r.videoStreams, 0),
      audioStreams: ready.reduce((n, r) => n + r.audioStreams, 0),
    };
  } finally {
    for (const r of runners) r.stop();
    await server.stop();
  }
}

function print(r: Result): void {
  const workerCpu = r.workersCpu.reduce((a, b) => a + b, 0);
  const streams = r.videoStreams + r.audioStreams;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(`\n== ${r.target === 'ours' ? 'nomades-visio' : 'bare mediasoup'} ==`);
  console.log(`  participants joined        ${r.joined}, still connected at the end: ${r.joined - r.lost.length}`);
  if (r.lost.length > 0) console.log(`  connections lost           ${r.lost.join(', ')}`);
  console.log(`  ramp (one join at a time)  ${r.rampSeconds.toFixed(0)} s`);
  console.log(`  join → first remote frame  p50 ${percentile(r.joinMs, 50)} ms, p95 ${percentile(r.joinMs, 95)} ms (${r.joinMs.length} bots)`);
  console.log(`  forwarded streams          ${r.videoStreams} video + ${r.audioStreams} audio consumers`);
  console.log(`  received by bots           ${r.rxMbps.toFixed(2)} Mbit/s, ${r.rxPps.toFixed(0)} packets/s, loss ${r.lossPct.toFixed(2)}%, ${r.fps.toFixed(0)} frames decoded/s`);
  console.log(`  UDP receive-buffer drops   ${r.udpDrops} datagrams during the measurement (kernel, all sockets); since the sockets opened: SFU ${r.sfuSocketDrops}, bots ${r.botSocketDrops}`);
  console.log(`  CPU server (Node)          ${pct(r.serverCpu)} of a core`);
  console.log(`  CPU mediasoup workers      ${r.workersCpu.map(pct).join(' + ')} of a core`);
  console.log(`  CPU bots (${BOT_PROCS} processes)    ${pct(r.botsCpu)}, worst event-loop delay ${r.botLoopDelayMaxMs.toFixed(0)} ms`);
  console.log(`  memory server / workers    ${r.serverRssMb.toFixed(0)} MB / ${r.workersRssMb.toFixed(0)} MB RSS`);
  console.log(`  server CPU per stream      ${streams ? (((r.serverCpu + workerCpu) * 1000) / streams).toFixed(2) : '-'} ms CPU per second per forwarded stream`);
}

console.log(
  `room benchmark: ${N} participants, ${VIDEO} cameras (${WIDTH}×${HEIGHT} VP8 at ${FPS} fps), ${SPEAKERS} unmuted microphones, ` +
    `each receives every audio and a page of ${PAGE} videos, ${DURATION} s; ${machine()}`,
);
const targets = args.target === 'both' ? (['ours', 'bare'] as const) : ([args.target] as ['ours' | 'bare']);
const results: Result[] = [];
for (const t of targets) {
  const r = await run(t);
  results.push(r);
  print(r);
}
if (results.length === 2) {
  const total = (r: Result) => r.serverCpu + r.workersCpu.reduce((a, b) => a + b, 0);
  const [ours, bare] = results;
  console.log(`\n  overhead: our server+workers CPU / bare mediasoup's = ${(total(ours) / total(bare)).toFixed(2)}×`);
  console.log(`  (${(total(ours) * 100).toFixed(1)}% vs ${(total(bare) * 100).toFixed(1)}% of a core; machine has ${os.cpus().length} cores shared with the bots)`);
}
process.exit(0);
