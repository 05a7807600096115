/**
 * Join on one node, SQLite vs PostgreSQL (issue #21): the same `npm start` (from the sources, one
 * media worker, LOG_LEVEL warn, RECORDER off) once on its SQLite DATA_DIR (no REDIS_URL: it runs
 * its own redis-server for the recording queue), once with DATABASE_URL (a throw-away PostgreSQL on
 * 127.0.0.1, fsync off) and REDIS_URL (a local redis-server), which main.ts requires with
 * DATABASE_URL: the node then runs the node directory too (placement through Redis at each
 * handshake). Signaling-only participants (socket.io-client over websocket, tokens signed with the
 * TOKEN_SECRET, as server/src/auth/TokenService.ts) in rooms of `--size`:
 *   sequential — `--joins` joins one after another (each stays connected);
 *   burst      — `--joins` more, all started at once, in new rooms.
 * Measured from this process: connect (handshake: token, room read, placement) and join answered
 * (emit('join') → ack), p50/p95. `--warmup` joins first in a room of their own, not counted.
 * `--rounds` alternates the engines (sqlite, postgres, sqlite, …) with a new node each time.
 *
 *   npm run bench:join-engines -- [--joins 200] [--size 50] [--rounds 2] [--warmup 20]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Socket } from 'socket.io-client';
import { TokenService } from '../../server/src/auth/TokenService.js';
import { LocalRedis } from '../../server/src/recording/LocalRedis.js';
import { MainProcess } from '../../tests/helpers/MainProcess.js';
import { Postgres } from '../../tests/helpers/Postgres.js';
import { sleep } from '../../tests/helpers/waitFor.js';
import { connectAndJoin, roomNodes, type JoinTiming } from './lib/signalingClient.js';
import { machine, percentile } from './lib/procStats.js';
import { stopOnSignal } from './lib/stopOnSignal.js';

const { values: args } = parseArgs({
  options: {
    joins: { type: 'string', default: '200' },
    size: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '20' },
  },
});
const JOINS = Number(args.joins);
const SIZE = Number(args.size);
const ROUNDS = Number(args.rounds);
const WARMUP = Number(args.warmup);
const ADMIN_KEY = 'bench-engines-admin-key-0123456789';
const SECRET = 'bench-engines-token-secret-0123456789abcdef';
type Engine = 'sqlite' | 'postgres';

interface Result {
  engine: Engine;
  sequential: JoinTiming[];
  burst: JoinTiming[];
  errors: string[];
}

const fmt = (v: number[]) => (v.length ? `p50 ${percentile(v, 50).toFixed(1)} / p95 ${percentile(v, 95).toFixed(1)} ms (max ${Math.max(...v).toFixed(1)}, n ${v.length})` : 'none');

async function main(): Promise<void> {
  console.log(`join benchmark, SQLite vs PostgreSQL on one node: ${machine()}`);
  console.log(`  ${JOINS} sequential + ${JOINS} in a burst per run, rooms of ${SIZE}, ${WARMUP} warm-up joins, ${ROUNDS} rounds (engines alternated); load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nomades-engines-'));
  const tokens = new TokenService(SECRET);
  let pg: Postgres | undefined;
  let redis: LocalRedis | undefined;
  let node: MainProcess | undefined;
  let sockets: Socket[] = [];
  const cleanup = async () => {
    for (const s of sockets) s.close();
    node?.kill();
    await node?.exited;
    await redis?.close().catch(() => undefined);
    pg?.close();
    fs.rmSync(root, { recursive: true, force: true });
  };
  stopOnSignal(cleanup);
  const results: Result[] = [];
  try {
    pg = await Postgres.start();
    for (let round = 0; round < ROUNDS; round++) {
      for (const engine of (process.env.BENCH_ENGINES?.split(',') ?? ['sqlite', 'postgres']) as Engine[]) {
        const dir = fs.mkdtempSync(path.join(root, `${engine}-`));
        const env: Record<string, string> = { ADMIN_KEY, TOKEN_SECRET: SECRET, RECORDER: 'off' };
        if (engine === 'postgres') {
          redis = await LocalRedis.start({ dir: path.join(dir, 'redis') });
          Object.assign(env, { DATABASE_URL: await pg.database(), REDIS_URL: redis.url, NODE_ID: 'bench' });
        }
        node = await MainProcess.start(path.join(dir, 'data'), env);
        const url = node.listenUrl;
        let rooms = 0;
        const createRoom = async () => {
          const res = await fetch(`${url}/api/rooms`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: `engines ${++rooms}`, maxParticipants: SIZE + 5 }) });
          if (res.status !== 201) throw new Error(`createRoom: ${res.status} ${await res.text()}`);
          return ((await res.json()) as { id: string }).id;
        };
        const mint = async (roomId: string, k: number) => (await tokens.mint({ roomId, name: `p${k}`, role: 'participant' })).token;
        const result: Result = { engine, sequential: [], burst: [], errors: [] };
        // Warm-up (not counted).
        const warmRoom = await createRoom();
        for (let k = 0; k < WARMUP; k++) sockets.push((await connectAndJoin([url], warmRoom, await mint(warmRoom, k))).socket);
        // Sequential.
        let roomId = '';
        for (let k = 0; k < JOINS; k++) {
          if (k % SIZE === 0) roomId = await createRoom();
          const token = await mint(roomId, k);
          try {
            const j = await connectAndJoin([url], roomId, token);
            sockets.push(j.socket);
            result.sequential.push(j.timing);
          } catch (error) {
            result.errors.push((error as Error).message);
          }
        }
        // Burst: new rooms, tokens signed first, every connection started together.
        const burstRooms: string[] = [];
        for (let r = 0; r < Math.ceil(JOINS / SIZE); r++) burstRooms.push(await createRoom());
        const burstTokens = await Promise.all(Array.from({ length: JOINS }, async (_, k) => ({ roomId: burstRooms[Math.floor(k / SIZE)]!, token: await mint(burstRooms[Math.floor(k / SIZE)]!, k) })));
        const burst = await Promise.all(burstTokens.map((t) => connectAndJoin([url], t.roomId, t.token).catch((e: Error) => e)));
        for (const b of burst) {
          if (b instanceof Error) result.errors.push(b.message);
          else {
            sockets.push(b.socket);
            result.burst.push(b.timing);
          }
        }
        results.push(result);
        console.log(`  [round ${round + 1}, ${engine}] sequential: join ${fmt(result.sequential.map((t) => t.joinMs))}, connect ${fmt(result.sequential.map((t) => t.connectMs))}`);
        console.log(`  [round ${round + 1}, ${engine}] burst:      join ${fmt(result.burst.map((t) => t.joinMs))}, connect ${fmt(result.burst.map((t) => t.connectMs))}, connect + join ${fmt(result.burst.map((t) => t.totalMs))}${result.errors.length ? `; ${result.errors.length} errors: ${[...new Set(result.errors)].slice(0, 3).join('; ')}` : ''}`);
        for (const s of sockets) s.close();
        sockets = [];
        roomNodes.clear(); // the next node has rooms of the same ids
        await sleep(500);
        await node.stop();
        node = undefined;
        await redis?.close();
        redis = undefined;
      }
    }
  } catch (error) {
    if (node) console.error(`--- node output ---\n${node.output.slice(-4000)}`);
    throw error;
  } finally {
    await cleanup();
  }

  console.log(`\n== join on one node, ${ROUNDS} round(s) pooled (ms, measured by the client)`);
  console.log('| engine | sequential: join answered | sequential: connect | sequential: connect + join | burst: join answered | burst: connect | burst: connect + join |');
  console.log('|---|---|---|---|---|---|---|');
  for (const engine of ['sqlite', 'postgres'] as const) {
    const rs = results.filter((r) => r.engine === engine);
    const seq = rs.flatMap((r) => r.sequential);
    const bur = rs.flatMap((r) => r.burst);
    console.log(`| ${engine} | ${fmt(seq.map((t) => t.joinMs))} | ${fmt(seq.map((t) => t.connectMs))} | ${fmt(seq.map((t) => t.totalMs))} | ${fmt(bur.map((t) => t.joinMs))} | ${fmt(bur.map((t) => t.connectMs))} | ${fmt(bur.map((t) => t.totalMs))} |`);
  }
  const p95 = (engine: Engine, pick: (r: Result) => JoinTiming[], f: (t: JoinTiming) => number) => percentile(results.filter((r) => r.engine === engine).flatMap(pick).map(f), 95);
  for (const [label, pick] of [['sequential', (r: Result) => r.sequential], ['burst', (r: Result) => r.burst]] as const) {
    const dj = p95('postgres', pick, (t) => t.joinMs) - p95('sqlite', pick, (t) => t.joinMs);
    const dt = p95('postgres', pick, (t) => t.totalMs) - p95('sqlite', pick, (t) => t.totalMs);
    console.log(`  ${label}: PostgreSQL − SQLite at p95: join answered ${dj >= 0 ? '+' : ''}${dj.toFixed(1)} ms, connect+join ${dt >= 0 ? '+' : ''}${dt.toFixed(1)} ms (goal: within +20 ms)`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
