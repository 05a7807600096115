/**
 * What one hop between nodes costs (issue #23, SPAN-3): the extra latency, the worker CPU and the
 * bytes of a producer piped to another node by NodePipes. Two WorkerPools in this process, each
 * its own mediasoup worker process and port range (two "hosts" on one machine: the link is the
 * loopback, so the figures are the pipe's own cost, not a network's), and an in-memory NodeChannel.
 *
 * Each producer is a PlainTransport on node A fed with synthetic RTP from a UDP socket of this
 * process (RtpSender: Opus-like audio, or VP8-like video whose 3 SSRCs make a simulcast producer),
 * each packet carrying a counter in its payload. Two PlainTransport consumers send it back to two
 * sockets here: one on A directly, one on B through the pipe (B pipes it in). For each counter
 * that reached both, hop = arrival at the B socket − arrival at the A socket. The sockets of each
 * node live in a thread of their own (UdpStamper: one for A's, one for B's), away from the sender's
 * timers, and stamp arrivals on the process's monotonic clock; what is left in the figures is the
 * scheduling of those threads (the machine's load is printed with them).
 *
 * Cases: audio through the pipe with SRTP (the default between nodes), audio on a trusted link
 * (no SRTP), the same audio with no pipe at all (the baseline of the workers' CPU), and video with
 * 3 simulcast-like streams (a pipe carries every layer, whatever the consumers take). After a 1.5 s
 * warm-up, `--seconds` of measure per case; the whole run takes about 4 × seconds + 10 s.
 *
 *   npm run bench:pipe-hop [-- --seconds 15 --streams 16]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { types } from 'mediasoup';
import { NodePipes, WorkerPool } from '@nomades/sfu';
import { MemoryNodeChannel } from '../../tests/helpers/MemoryNodeChannel.js';
import { RtpReceiver } from '../../tests/helpers/RtpReceiver.js';
import { COUNTER_OFFSET, RtpSender } from '../../tests/helpers/RtpSender.js';
import { sleep } from '../../tests/helpers/waitFor.js';
import { machine, percentile, sampleProcess } from './lib/procStats.js';
import { nowMs, UdpStamper } from './lib/UdpStamper.js';
import { stopOnSignal } from './lib/stopOnSignal.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    streams: { type: 'string', default: '16' },
  },
});
const SECONDS = Math.min(30, Number(args.seconds));
const STREAMS = Math.min(50, Number(args.streams));
const WARMUP_MS = 1_500;
/** Video layers: packets per frame and payload bytes per packet, at 15 frames per second. */
const LAYERS = [
  { packets: 1, bytes: 400 },
  { packets: 2, bytes: 1000 },
  { packets: 6, bytes: 1100 },
];

interface Case {
  name: string;
  kind: 'audio' | 'video';
  pipe: 'srtp' | 'trusted' | 'none';
}

const CASES: Case[] = [
  { name: `audio, ${STREAMS} streams × 50 pkt/s, SRTP pipe`, kind: 'audio', pipe: 'srtp' },
  { name: `audio, ${STREAMS} streams × 50 pkt/s, trusted pipe (no SRTP)`, kind: 'audio', pipe: 'trusted' },
  { name: `audio, ${STREAMS} streams × 50 pkt/s, no pipe (baseline)`, kind: 'audio', pipe: 'none' },
  { name: 'video, 1 producer × 3 simulcast-like streams (15 fps; 1/2/6 packets per frame), SRTP pipe', kind: 'video', pipe: 'srtp' },
];

const pools: WorkerPool[] = [];
stopOnSignal(async () => {
  for (const p of pools) p.close(); // their routers, transports and pipes with them
  await Promise.all(pools.map((p) => p.exited()));
});

/** Calls `tick` every `periodMs` for `ms`, on the schedule (a late tick does not shift the next ones). */
async function pace(periodMs: number, ms: number, tick: () => void): Promise<void> {
  const start = performance.now();
  for (let n = 1; performance.now() - start < ms; n++) {
    tick();
    await sleep(Math.max(0, start + n * periodMs - performance.now()));
  }
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '-');

async function pipeBytes(t: types.PipeTransport | undefined): Promise<{ bytes: number; rtp: number; rtx: number }> {
  const s = t ? (await t.getStats())[0] : undefined;
  return { bytes: s?.bytesReceived ?? 0, rtp: s?.rtpBytesReceived ?? 0, rtx: s?.rtxBytesReceived ?? 0 };
}

/** Bytes the consumers sent so far (RTP, what one receiver of each producer gets). */
async function consumerBytes(consumers: types.Consumer[]): Promise<number> {
  let bytes = 0;
  for (const c of consumers) for (const s of await c.getStats()) if (s.type === 'outbound-rtp') bytes += s.byteCount;
  return bytes;
}

async function run(c: Case): Promise<Record<string, unknown>> {
  const [{ router: ra }, { router: rb }] = [await pools[0].createRouter({ roomId: 'bench' }), await pools[1].createRouter({ roomId: 'bench' })];
  const [chanA, chanB] = MemoryNodeChannel.pair('node-a', 'node-b');
  const producers = new Map<string, types.Producer>();
  const trusted = c.pipe === 'trusted';
  const common = { listenIp: '127.0.0.1', trusted, findProducer: (id: string) => producers.get(id) as never };
  const pa = new NodePipes({ ...common, router: ra, channel: chanA });
  const pb = new NodePipes({ ...common, router: rb, channel: chanB });
  const senders: RtpSender[] = [];
  const transports: types.Transport[] = [];
  const directConsumers: types.Consumer[] = [];
  const count = c.kind === 'audio' ? STREAMS : 1;
  const [stampA, stampB] = await Promise.all([0, 1].map(() => UdpStamper.create(count, '127.0.0.1', COUNTER_OFFSET[c.kind])));
  try {
    for (let i = 0; i < count; i++) {
      const ssrcs = c.kind === 'audio' ? [10_000 + i] : [20_000, 20_001, 20_002];
      const sender = await RtpSender.create(ra, { kind: c.kind, appData: { peerId: `p${i}`, source: c.kind === 'audio' ? 'microphone' : 'camera' }, ssrcs });
      senders.push(sender);
      producers.set(sender.producer.id, sender.producer);
      const a = await RtpReceiver.consumeTo(ra, sender.producer.id, { port: stampA.ports[i] });
      transports.push(a.transport);
      directConsumers.push(a.consumer);
      stampA.expect(i, a.consumer.rtpParameters.encodings![0].ssrc!);
      if (c.pipe !== 'none') {
        await pb.pipeIn(sender.producer.id);
        const b = await RtpReceiver.consumeTo(rb, sender.producer.id, { port: stampB.ports[i] });
        transports.push(b.transport);
        stampB.expect(i, b.consumer.rtpParameters.encodings![0].ssrc!);
      }
    }
    const tick =
      c.kind === 'audio'
        ? () => senders.forEach((s) => s.send(0, 160))
        : () => LAYERS.forEach((l, i) => senders[0].sendFrame(i, l.packets, l.bytes));
    const period = c.kind === 'audio' ? 20 : 1000 / 15;
    await pace(period, WARMUP_MS, tick);
    const firstCounter = new Map(senders.map((s) => [s, s.sentAt.size])); // a sender's counters go from 0: those of the warm-up
    const workers = pools.map((p) => p.workers[0].worker.pid);
    const cpu0 = workers.map((pid) => sampleProcess(pid)?.cpuSeconds ?? 0);
    const self0 = process.cpuUsage();
    const pipe0 = await pipeBytes(pb.transport);
    const consumed0 = await consumerBytes(directConsumers);
    const t0 = performance.now();
    await pace(period, SECONDS * 1000, tick);
    const elapsed = (performance.now() - t0) / 1000;
    const cpu1 = workers.map((pid) => sampleProcess(pid)?.cpuSeconds ?? 0);
    const self1 = process.cpuUsage(self0);
    const pipe1 = await pipeBytes(pb.transport);
    const consumed1 = await consumerBytes(directConsumers);
    await sleep(300); // stragglers
    const [arrivedA, arrivedB] = await Promise.all([stampA.stop(), stampB.stop()]);
    const clock = nowMs() - performance.now(); // RtpSender stamps with performance.now(): same clock, another origin
    const hops: number[] = [];
    const direct: number[] = [];
    const piped: number[] = [];
    let sent = 0;
    let gotA = 0;
    let gotB = 0;
    for (const [i, sender] of senders.entries()) {
      for (const [counter, sentAt] of sender.sentAt) {
        if (counter < firstCounter.get(sender)!) continue;
        sent++;
        const at = sentAt + clock;
        const ta = arrivedA[i].get(counter);
        const tb = arrivedB[i].get(counter);
        if (ta !== undefined) (gotA++, direct.push(ta - at));
        if (tb !== undefined) (gotB++, piped.push(tb - at));
        if (ta !== undefined && tb !== undefined) hops.push(tb - ta);
      }
    }
    const stats = (v: number[]) => ({ n: v.length, p50: percentile(v, 50), p95: percentile(v, 95), p99: percentile(v, 99), max: Math.max(...v) });
    const layers = c.kind === 'video' ? (await pb.imported.get(senders[0].producer.id)?.getStats())?.length : undefined;
    const result = {
      case: c.name,
      seconds: Number(elapsed.toFixed(1)),
      packetsSent: sent,
      receivedDirect: gotA,
      receivedThroughPipe: gotB,
      hopMs: stats(hops),
      sentToDirectMs: stats(direct),
      sentToPipedMs: stats(piped),
      workerCpuPercent: { a: (100 * (cpu1[0] - cpu0[0])) / elapsed, b: (100 * (cpu1[1] - cpu0[1])) / elapsed },
      benchProcessCpuPercent: (100 * (self1.user + self1.system)) / 1e6 / elapsed,
      pipeBytesPerSecondPerProducer: c.pipe === 'none' ? 0 : (pipe1.bytes - pipe0.bytes) / elapsed / senders.length,
      pipeRtpBytesPerSecondPerProducer: c.pipe === 'none' ? 0 : (pipe1.rtp - pipe0.rtp) / elapsed / senders.length,
      pipeRtxBytes: pipe1.rtx - pipe0.rtx,
      consumerBytesPerSecondPerProducer: (consumed1 - consumed0) / elapsed / senders.length,
      streamsInPipeProducer: layers,
      srtp: Boolean(pb.transport?.srtpParameters),
    };
    print(result);
    return result;
  } finally {
    void stampA.stop().catch(() => undefined);
    void stampB.stop().catch(() => undefined);
    for (const t of transports) t.close();
    for (const s of senders) s.close();
    pa.close();
    pb.close();
    ra.close();
    rb.close();
  }
}

function print(r: Record<string, any>): void {
  const row = (label: string, s: { n: number; p50: number; p95: number; p99: number; max: number }) =>
    console.log(`  ${label.padEnd(34)} n=${String(s.n).padStart(6)}  p50 ${ms(s.p50)}  p95 ${ms(s.p95)}  p99 ${ms(s.p99)}  max ${ms(s.max)} ms`);
  console.log(`\n${r.case}  (${r.seconds} s, ${r.packetsSent} packets sent; received: ${r.receivedDirect} direct, ${r.receivedThroughPipe} through the pipe)`);
  if (r.hopMs.n > 0) row('hop (B arrival − A arrival)', r.hopMs);
  row('sent → A socket (no hop)', r.sentToDirectMs);
  if (r.sentToPipedMs.n > 0) row('sent → B socket (one hop)', r.sentToPipedMs);
  console.log(`  worker CPU: A ${r.workerCpuPercent.a.toFixed(2)} %, B ${r.workerCpuPercent.b.toFixed(2)} % of a core; this process ${r.benchProcessCpuPercent.toFixed(1)} %`);
  if (r.pipeBytesPerSecondPerProducer > 0) {
    const kbit = (b: number) => ((b * 8) / 1000).toFixed(1);
    console.log(
      `  pipe, per producer: ${kbit(r.pipeBytesPerSecondPerProducer)} kbit/s received by B (RTP ${kbit(r.pipeRtpBytesPerSecondPerProducer)}), RTX ${r.pipeRtxBytes} B, SRTP ${r.srtp}` +
        `${r.streamsInPipeProducer ? `, ${r.streamsInPipeProducer} streams in B's pipe producer` : ''}; one consumer gets ${kbit(r.consumerBytesPerSecondPerProducer)} kbit/s`,
    );
  }
}

console.log(`pipe hop benchmark: ${machine()}`);
console.log(`CPU: ${os.cpus()[0]?.model}; load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const workerBin = process.env.MEDIASOUP_WORKER_BIN;
pools.push(await WorkerPool.create({ numWorkers: 1, listenIp: '127.0.0.1', basePort: 0, rtcMinPort: 46000, rtcMaxPort: 46999, workerBin }));
pools.push(await WorkerPool.create({ numWorkers: 1, listenIp: '127.0.0.1', basePort: 0, rtcMinPort: 47000, rtcMaxPort: 47999, workerBin }));
const results: Array<Record<string, unknown>> = [];
try {
  for (const c of CASES) results.push(await run(c));
} finally {
  console.log(`\nload average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`json ${JSON.stringify({ machine: machine(), loadavg: os.loadavg(), seconds: SECONDS, streams: STREAMS, results })}`);
  for (const p of pools) p.close();
  await Promise.all(pools.map((p) => p.exited()));
}
process.exit(0);
