/**
 * One room across two nodes against the same room on one node (issue #23, docs/spec/span.md), in
 * one run: two `npm start` nodes (PostgreSQL, Redis, one mediasoup worker each, NODE_MAX_PARTICIPANTS
 * = N), N real WebRTC bots (@roamhq/wrtc + mediasoup-client, lib/botRunner.ts at nice 10, joined
 * one at a time), each publishing a VP8 camera and an Opus microphone and receiving every camera
 * and every unmuted microphone. Phases alternate, `--rounds` times (one, split, split, one, …):
 *   one   — the N bots' media on the room's home;
 *   split — N/2 signaling-only participants on the home first (lib/SpanNodes.ts `fill`), so that
 *           the bots' first N/2 get their media on the home and the last N/2 on the annex (SPAN-5);
 *           the fillers leave once every bot is in: N/2 and N/2, every signaling socket at home.
 * In each phase, two windows of `--window` s after the room settled: AV (every microphone unmuted)
 * and V (every microphone muted: only the cameras flow). Measured: CPU of each node's mediasoup
 * worker and Node.js process (/proc utime+stime), bots' CPU, what the bots receive, and through
 * the pipes (nomades_node_pipe_bytes_total, nomades_node_piped_producers on each node's /metrics).
 * From the differences: worker CPU per piped video and audio producer, and the model for 50.
 * Then a layers phase: one simulcast publisher (3 layers, 960×540 at the top) on the home, two
 * receivers on the annex, taking the top layer, the lowest (setConsumerLayers), the top again:
 * what the pipe carries against what the receivers get. Bounded: every wait has a deadline;
 * everything is stopped at the end, failures and Ctrl-C included.
 *
 *   npm run bench:span-room [-- --participants 8 --rounds 3 --window 10 --size 320x240 --fps 15 --bot-procs 2]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sleep } from '../../tests/helpers/waitFor.js';
import { BotProcess } from './lib/BotProcess.js';
import { machine, sampleProcess, udpReceiveBufferDrops } from './lib/procStats.js';
import { SpanNodes, type CpuSample, type PipeSample } from './lib/SpanNodes.js';
import { simulcastLayers } from './lib/spanLayers.js';
import { report, type Kind, type Phase, type Window } from './lib/spanReport.js';
import { stopOnSignal } from './lib/stopOnSignal.js';

const { values: args } = parseArgs({
  options: {
    participants: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    window: { type: 'string', default: '10' },
    size: { type: 'string', default: '320x240' },
    fps: { type: 'string', default: '15' },
    'bot-procs': { type: 'string', default: '2' },
    'layers-window': { type: 'string', default: '8' },
  },
});
const N = Math.min(20, 2 * Math.round(Number(args.participants) / 2));
const H = N / 2;
const ROUNDS = Math.min(4, Number(args.rounds));
const WINDOW = Math.min(30, Number(args.window));
const [WIDTH, HEIGHT] = args.size!.split('x').map(Number);
const FPS = Number(args.fps);
const BOT_PROCS = Math.min(N, Number(args['bot-procs']));
const LAYERS_WINDOW = Math.min(30, Number(args['layers-window']));
const SETTLE_MS = 3_000;

console.log(`span room benchmark: ${N} bots (${WIDTH}×${HEIGHT} VP8 at ${FPS} fps, Opus), ${ROUNDS} rounds of one/split, windows of ${WINDOW} s; ${machine()}`);
console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const runners: BotProcess[] = [];
let started: Promise<SpanNodes> | undefined;
const stopAll = async () => {
  for (const r of runners) r.stop();
  await (await started?.catch(() => undefined))?.close();
};
stopOnSignal(stopAll);
started = SpanNodes.start(N);
const nodes = await started;
for (let i = 0; i < BOT_PROCS; i++) {
  const config = { url: nodes.url(0), roomId: 'none', page: N, video: { width: WIDTH, height: HEIGHT, fps: FPS } };
  runners.push(new BotProcess(config, (m) => m.type === 'lost' && console.log(`\n  bot ${m.name} lost its connection (${m.reason})`)));
}

const pct = (cpu1: number, cpu0: number, seconds: number) => (100 * (cpu1 - cpu0)) / seconds;

async function measure(): Promise<Window> {
  const totals = () => Promise.all(runners.map((r) => r.totals()));
  // A bot process's CPU counts all its threads: libwebrtc's encoders and decoders included.
  const botCpu = () => runners.reduce((sum, r) => sum + (sampleProcess(r.pid)?.cpuSeconds ?? 0), 0);
  const p0: PipeSample = await nodes.pipes();
  const rx0 = await totals();
  const b0 = botCpu();
  const drops0 = udpReceiveBufferDrops();
  const c0: CpuSample = nodes.cpu();
  await sleep(WINDOW * 1000);
  const c1 = nodes.cpu();
  const udpDrops = udpReceiveBufferDrops() - drops0;
  const b1 = botCpu();
  const rx1 = await totals();
  const p1 = await nodes.pipes();
  const seconds = (c1.at - c0.at) / 1000;
  const pipeSeconds = (p1.at - p0.at) / 1000;
  const sum = (rx: typeof rx0, k: 'bytes' | 'packets' | 'packetsLost' | 'framesDecoded') => rx.reduce((n, t) => n + t[k], 0);
  const packets = sum(rx1, 'packets') - sum(rx0, 'packets');
  const lost = sum(rx1, 'packetsLost') - sum(rx0, 'packetsLost');
  const delta = (a: number[], b: number[]) => b.reduce((n, x, i) => n + x - a[i], 0);
  return {
    seconds,
    workers: c1.workers.map((w, i) => pct(w, c0.workers[i], seconds)),
    node: c1.node.map((w, i) => pct(w, c0.node[i], seconds)),
    bots: pct(b1, b0, seconds),
    pipeBytesIn: delta(p0.bytesIn, p1.bytesIn) / pipeSeconds,
    pipeBytesOut: delta(p0.bytesOut, p1.bytesOut) / pipeSeconds,
    rxBytes: (sum(rx1, 'bytes') - sum(rx0, 'bytes')) / seconds,
    rxPackets: packets / seconds,
    lossPct: packets + lost > 0 ? (100 * lost) / (packets + lost) : 0,
    framesDecoded: (sum(rx1, 'framesDecoded') - sum(rx0, 'framesDecoded')) / seconds,
    udpDrops,
  };
}

async function phase(kind: Kind, round: number): Promise<Phase> {
  const { roomId, home } = await nodes.placeRoom(`span-${kind}-${round}`, N + H);
  const other = 1 - home;
  process.stdout.write(`[round ${round}, ${kind}] home node${home}; joining ${N} bots: `);
  // SPAN-5: the fillers take H of the home's N media places; the bots' last H go to the annex.
  const fillers = kind === 'split' ? await nodes.fill(home, roomId, H) : [];
  const rampStartedAt = Date.now();
  for (let i = 0; i < N; i++) {
    const name = `bot-${i}`;
    const token = await nodes.cluster.mintToken(roomId, name);
    await runners[i % BOT_PROCS].join({ name, token, url: nodes.url(home), roomId, publishVideo: true, micMuted: false });
    process.stdout.write('.');
  }
  const ready = await Promise.all(runners.map((r) => r.ready()));
  const rampSeconds = (Date.now() - rampStartedAt) / 1000;
  await nodes.leave(fillers);
  const [h, o] = await Promise.all([nodes.health(home), nodes.health(other)]);
  const want = kind === 'one' ? [N, 0] : [H, H];
  if (h.participants !== want[0] || o.participants !== want[1] || (kind === 'split') !== o.annexRooms.includes(roomId)) {
    throw new Error(`${kind}: media placed ${h.participants} on the home and ${o.participants} on the other node (annex rooms ${JSON.stringify(o.annexRooms)}), wanted ${want.join(' and ')}`);
  }
  const videoStreams = ready.reduce((n, r) => n + r.videoStreams, 0);
  const audioStreams = ready.reduce((n, r) => n + r.audioStreams, 0);
  process.stdout.write(` ${rampSeconds.toFixed(0)} s; ${videoStreams} video + ${audioStreams} audio consumers; measuring AV… `);
  await sleep(SETTLE_MS);
  const pipes = await nodes.pipes();
  const av = await measure();
  await Promise.all(runners.map((r) => r.mute(true)));
  await sleep(SETTLE_MS);
  process.stdout.write('V… ');
  const v = await measure();
  await Promise.all(runners.map((r) => r.leaveAll()));
  await nodes.waitEmpty();
  console.log('done');
  const pipedIn = { audio: pipes.pipedIn[0].audio + pipes.pipedIn[1].audio, video: pipes.pipedIn[0].video + pipes.pipedIn[1].video };
  return { kind, round, home, rampSeconds, videoStreams, audioStreams, pipedIn, av, v };
}

const phases: Phase[] = [];
let layers: Awaited<ReturnType<typeof simulcastLayers>> | undefined;
try {
  for (let round = 1; round <= ROUNDS; round++) {
    // ABBA: one, split, split, one, …: a drift of the machine's load weighs on both alike.
    const order: Kind[] = round % 2 === 1 ? ['one', 'split'] : ['split', 'one'];
    for (const kind of order) phases.push(await phase(kind, round));
  }
  // The main figures stand without it: a failure here is printed, not thrown.
  layers = await simulcastLayers(nodes, { windowSeconds: LAYERS_WINDOW }).catch((error: unknown) => {
    console.log(`\n[layers] failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
} finally {
  console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  await stopAll();
}
const figures = report(N, phases, layers);
console.log(`json ${JSON.stringify({ machine: machine(), loadavg: os.loadavg(), participants: N, window: WINDOW, size: args.size, fps: FPS, phases, ...figures })}`);
process.exit(0);
