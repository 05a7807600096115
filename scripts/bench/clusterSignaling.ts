/**
 * Signaling load over several nodes (issue #21): `--nodes` `npm start` processes on one throw-away
 * PostgreSQL and one redis-server (tests/helpers/Cluster.ts), `--rooms` rooms of `--size`
 * signaling-only participants (socket.io-client over websocket, no media transports), spread over
 * `--procs` client processes (scripts/bench/lib/signalingWorker.ts). Each participant signs its
 * token with the shared TOKEN_SECRET (as server/src/auth/TokenService.ts), connects to a random
 * node, follows `WRONG_NODE` to the room's node (learnt once per room and client process), and
 * sends `join`. The rooms are filled in `--steps` steps; after each step (5 s settled):
 *   - RSS of each node's process and of its mediasoup worker (/proc/<pid>/status VmRSS), and the
 *     sessions and rooms each node publishes in the directory (GET /api/nodes);
 *   - round trip of a cheap request (`pauseProducer` of an unknown producer: validated, rate
 *     limited, answered NOT_FOUND by the session) from `--rtt` connections spread over all.
 * Then a burst of `--burst` joins at once (new rooms of `--size`, all connections started
 * together): join answered (emit → ack), connect (redirects included) and total, p50/p95.
 * Bounded: `--max-seconds` for the whole run; everything is stopped at the end, failures included.
 *
 *   npm run bench:cluster-signaling -- [--rooms 300] [--size 50] [--nodes 3] [--procs 4] [--steps 3]
 *     [--concurrency 40] [--rtt 600] [--burst 200] [--max-seconds 900]
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Cluster } from '../../tests/helpers/Cluster.js';
import { sleep } from '../../tests/helpers/waitFor.js';
import type { JoinTiming } from './lib/signalingClient.js';
import type { FromWorker, ToWorker } from './lib/signalingWorker.js';
import { childPids, machine, percentile } from './lib/procStats.js';
import { stopOnSignal } from './lib/stopOnSignal.js';

const { values: args } = parseArgs({
  options: {
    rooms: { type: 'string', default: '300' },
    size: { type: 'string', default: '50' },
    nodes: { type: 'string', default: '3' },
    procs: { type: 'string', default: '4' },
    steps: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '40' },
    rtt: { type: 'string', default: '600' },
    burst: { type: 'string', default: '200' },
    'max-seconds': { type: 'string', default: '900' },
  },
});
const ROOMS = Number(args.rooms);
const SIZE = Number(args.size);
const NODES = Number(args.nodes);
const PROCS = Number(args.procs);
const STEPS = Number(args.steps);
const CONCURRENCY = Number(args.concurrency);
const RTT = Number(args.rtt);
const BURST = Number(args.burst);
const MAX_SECONDS = Number(args['max-seconds']);
const SECRET = 'bench-cluster-token-secret-0123456789abcdef';
const WORKER = path.join(import.meta.dirname, 'lib/signalingWorker.ts');

/** One client process; one request at a time. */
class Worker {
  readonly #child: ChildProcess;
  #waiting: ((m: FromWorker) => void) | undefined;
  constructor() {
    this.#child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (m: FromWorker) => {
      const w = this.#waiting;
      this.#waiting = undefined;
      w?.(m);
    });
  }
  post(m: ToWorker): void {
    if (this.#child.connected) this.#child.send(m);
  }
  ask<T extends FromWorker['type']>(m: ToWorker, timeoutMs = 600_000): Promise<Extract<FromWorker, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`client process: no answer to ${m.type} within ${timeoutMs} ms`)), timeoutMs);
      const onExit = (code: number | null) => reject(new Error(`client process exited (${code}) during ${m.type}`));
      this.#child.once('exit', onExit);
      this.#waiting = (answer) => {
        clearTimeout(timer);
        this.#child.off('exit', onExit);
        resolve(answer as Extract<FromWorker, { type: T }>);
      };
      this.#child.send(m);
    });
  }
  kill(): void {
    this.#child.kill('SIGKILL');
  }
}

const rssOf = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
};
const mib = (b: number) => (b / 2 ** 20).toFixed(0);
const ms = (v: number[]) => (v.length ? `p50 ${percentile(v, 50).toFixed(1)} ms, p95 ${percentile(v, 95).toFixed(1)} ms, p99 ${percentile(v, 99).toFixed(1)} ms, max ${Math.max(...v).toFixed(1)} ms (n ${v.length})` : 'none');

interface Sample {
  connections: number;
  node: number[];
  worker: number[];
  sessions: number[];
  rooms: number[];
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`cluster signaling benchmark: ${machine()}`);
  console.log(`  ${NODES} nodes (npm start from the sources, 1 media worker each, LOG_LEVEL warn), PostgreSQL + redis-server local; ${ROOMS} rooms × ${SIZE} signaling-only participants (${ROOMS * SIZE} connections) from ${PROCS} client processes (${CONCURRENCY} connections in flight each) in ${STEPS} steps; rtt sample ${RTT}; burst ${BURST}; ulimit -n of the nodes and clients as inherited; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  let cluster: Cluster | undefined;
  const workers: Worker[] = [];
  const cleanup = async () => {
    for (const w of workers) w.kill();
    await cluster?.close();
  };
  stopOnSignal(cleanup);
  const deadline = setTimeout(() => {
    console.error(`\n--max-seconds ${MAX_SECONDS} reached: stopping`);
    void cleanup().finally(() => process.exit(2));
  }, MAX_SECONDS * 1000);
  deadline.unref();
  try {
    cluster = await Cluster.start(NODES, { TOKEN_SECRET: SECRET });
    const nodeUrls = Array.from({ length: NODES }, (_, i) => cluster!.url(i));
    const pids = cluster.nodes.map((n) => n!.pid);
    const sample = async (connections: number): Promise<Sample> => {
      const dir = await cluster!.directory();
      const byId = new Map(dir.nodes.map((n) => [n.id, n]));
      return {
        connections,
        node: pids.map(rssOf),
        worker: pids.map((p) => childPids(p).map(rssOf).reduce((a, b) => a + b, 0)),
        sessions: pids.map((_, i) => byId.get(`node${i}`)?.load.sessions ?? NaN),
        rooms: pids.map((_, i) => byId.get(`node${i}`)?.rooms.length ?? NaN),
      };
    };
    const print = (s: Sample) => console.log(`  ${s.connections} connections: ${s.node.map((r, i) => `node${i} ${mib(r)} MiB (worker ${mib(s.worker[i]!)} MiB; ${s.sessions[i]} sessions, ${s.rooms[i]} rooms)`).join(', ')}`);

    const burstRooms = Math.ceil(BURST / SIZE);
    const roomIds: string[] = [];
    for (let i = 0; i < ROOMS + burstRooms; i++) roomIds.push((await cluster.createRoom({ name: `signaling ${i}`, maxParticipants: SIZE + 5 })).id);
    for (let i = 0; i < PROCS; i++) workers.push(new Worker());
    for (const w of workers) w.post({ type: 'init', secret: SECRET, nodeUrls });
    await sleep(3_000);
    const samples: Sample[] = [await sample(0)];
    print(samples[0]!);

    const joins: JoinTiming[] = [];
    const errors: string[] = [];
    const rtts: Array<{ connections: number; ms: number[] }> = [];
    let connected = 0;
    const perStep = Math.ceil(ROOMS / STEPS);
    for (let step = 0; step < STEPS; step++) {
      const rooms = roomIds.slice(step * perStep, Math.min(ROOMS, (step + 1) * perStep));
      if (!rooms.length) break;
      const t0 = Date.now();
      // Whole rooms per client process, round robin.
      const answers = await Promise.all(workers.map((w, wi) => w.ask<'filled'>({
        type: 'fill',
        concurrency: CONCURRENCY,
        peers: rooms.filter((_, ri) => ri % PROCS === wi).flatMap((roomId) => Array.from({ length: SIZE }, (_, k) => ({ roomId, name: `p${k}` }))),
      })));
      for (const a of answers) {
        joins.push(...a.timings);
        errors.push(...a.errors);
        connected += a.timings.length;
      }
      const secs = (Date.now() - t0) / 1000;
      const stepErrors = answers.flatMap((a) => a.errors);
      console.log(`  step ${step + 1}/${STEPS}: ${answers.reduce((n, a) => n + a.timings.length, 0)} joined, ${stepErrors.length} failed in ${secs.toFixed(1)} s${stepErrors.length ? ` (${[...new Set(stepErrors.map((e) => e.replace(/127\.0\.0\.1:\d+/, 'node')))].slice(0, 4).join('; ')})` : ''}`);
      const st = await Promise.all(workers.map((w) => w.ask<'status'>({ type: 'status' })));
      console.log(`  client sockets: ${st.reduce((n, x) => n + x.open, 0)} open, ${st.reduce((n, x) => n + x.lost, 0)} lost so far`);
      await sleep(5_000);
      const s = await sample(connected);
      samples.push(s);
      print(s);
      const perWorker = Math.ceil(RTT / PROCS);
      const r = await Promise.all(workers.map((w) => w.ask<'rtt'>({ type: 'rtt', count: perWorker, concurrency: 20 })));
      rtts.push({ connections: connected, ms: r.flatMap((x) => x.ms) });
      errors.push(...r.flatMap((x) => x.errors));
      console.log(`  round trip with ${connected} connections: ${ms(rtts.at(-1)!.ms)}`);
    }

    // The burst: all at once, split over the client processes.
    const burstPeers = roomIds.slice(ROOMS).flatMap((roomId) => Array.from({ length: SIZE }, (_, k) => ({ roomId, name: `b${k}` }))).slice(0, BURST);
    const b = await Promise.all(workers.map((w, wi) => w.ask<'filled'>({ type: 'fill', burst: true, concurrency: BURST, peers: burstPeers.filter((_, i) => i % PROCS === wi) })));
    const burst = b.flatMap((a) => a.timings);
    const burstErrors = b.flatMap((a) => a.errors);
    await sleep(3_000);
    const statuses = await Promise.all(workers.map((w) => w.ask<'status'>({ type: 'status' })));
    const final = await sample(connected + burst.length);

    console.log(`\n== ${ROOMS} rooms × ${SIZE} over ${NODES} nodes: ${connected} of ${ROOMS * SIZE} joined (${errors.length} errors${errors.length ? `: ${[...new Set(errors)].slice(0, 5).join('; ')}` : ''})`);
    console.log(`  ramp joins (${CONCURRENCY} in flight per client process): join answered ${ms(joins.map((t) => t.joinMs))}`);
    console.log(`  ramp connect (redirects included): ${ms(joins.map((t) => t.connectMs))}; redirects followed: ${joins.reduce((n, t) => n + t.redirects, 0)}`);
    console.log('  memory (RSS) per node, by connections:');
    for (const s of samples) print(s);
    const first = samples[0]!;
    const last = samples.at(-1)!;
    for (let i = 0; i < NODES; i++) {
      const d = last.node[i]! - first.node[i]!;
      const n = last.sessions[i]!;
      console.log(`  node${i}: +${mib(d)} MiB node process, +${mib(last.worker[i]! - first.worker[i]!)} MiB worker, for ${n} sessions / ${last.rooms[i]} rooms: ${n ? ((d / n) / 1024).toFixed(1) : '?'} KiB per connection (node process)`);
    }
    const total = last.node.reduce((a, b2) => a + b2, 0) - first.node.reduce((a, b2) => a + b2, 0);
    const totalWorkers = last.worker.reduce((a, b2) => a + b2, 0) - first.worker.reduce((a, b2) => a + b2, 0);
    console.log(`  all nodes: +${mib(total)} MiB node processes (${((total / Math.max(1, connected)) / 1024).toFixed(1)} KiB per connection), +${mib(totalWorkers)} MiB media workers (${((totalWorkers / Math.max(1, ROOMS)) / 1024).toFixed(0)} KiB per room)`);
    for (const r of rtts) console.log(`  round trip (pauseProducer → NOT_FOUND) with ${r.connections} connections: ${ms(r.ms)}`);
    console.log(`\n== burst of ${burstPeers.length} joins at once (${burstRooms} new rooms of ${SIZE}, on top of ${connected} connections): ${burst.length} joined, ${burstErrors.length} failed${burstErrors.length ? ` (${[...new Set(burstErrors)].slice(0, 3).join('; ')})` : ''}`);
    console.log(`  join answered (emit → ack): ${ms(burst.map((t) => t.joinMs))}`);
    console.log(`  connect (redirects included): ${ms(burst.map((t) => t.connectMs))}`);
    console.log(`  total (first attempt → join answered): ${ms(burst.map((t) => t.totalMs))}`);
    print(final);
    console.log(`  client processes: ${statuses.map((s) => `${s.open} open, ${s.lost} lost, ${mib(s.rssBytes)} MiB`).join('; ')}`);
    // What the nodes logged (warn and above) that explains lost connections.
    const count = (text: string, needle: string) => text.split('\n').filter((l) => l.includes(needle)).length;
    for (const [i, n] of cluster.nodes.entries()) {
      const out = n?.output ?? '';
      console.log(`  node${i} log: ${count(out, 'moved to another node while this one was unreachable')} rooms lost to another node (roomLost), ${count(out, 'a node is gone')} nodeDown, ${count(out, '"level":50')} errors, ${count(out, '"level":40')} warnings; ${[...new Set(out.split('\n').filter((l) => l.includes('"level":40') || l.includes('"level":50')).map((l) => /"msg":"([^"]*)"/.exec(l)?.[1] ?? ''))].slice(0, 6).join(' | ')}`);
    }
    console.log(`  run took ${((Date.now() - started) / 1000).toFixed(0)} s; load average at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    clearTimeout(deadline);
    for (const w of workers) w.post({ type: 'close' });
    await sleep(500);
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
