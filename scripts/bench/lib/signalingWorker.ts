/**
 * A process of signaling-only participants for scripts/bench/clusterSignaling.ts, driven over IPC
 * (fork). Tokens are signed here with the shared TOKEN_SECRET (as server/src/auth/TokenService.ts
 * does). Exits when its parent goes.
 */
import type { Socket } from 'socket.io-client';
import { TokenService } from '../../../server/src/auth/TokenService.js';
import { connectAndJoin, pool, request, type JoinTiming } from './signalingClient.js';

export type ToWorker =
  | { type: 'init'; secret: string; nodeUrls: string[] }
  | { type: 'fill'; peers: Array<{ roomId: string; name: string }>; concurrency: number; burst?: boolean }
  | { type: 'rtt'; count: number; concurrency: number }
  | { type: 'status' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'filled'; timings: JoinTiming[]; errors: string[] }
  | { type: 'rtt'; ms: number[]; errors: string[] }
  | { type: 'status'; open: number; lost: number; rssBytes: number };

let tokens: TokenService | undefined;
let nodeUrls: string[] = [];
const sockets: Socket[] = [];
let lost = 0;

const send = (m: FromWorker) => process.send!(m);
const errorsOf = (results: unknown[]) => results.filter((r): r is Error => r instanceof Error).map((e) => e.message);

process.on('disconnect', () => process.exit(0));
process.on('message', (m: ToWorker) => {
  void handle(m).catch((error: Error) => {
    console.error(`signaling worker ${process.pid}: ${error.stack}`);
    process.exit(1);
  });
});

async function handle(m: ToWorker): Promise<void> {
  if (m.type === 'init') {
    tokens = new TokenService(m.secret);
    nodeUrls = m.nodeUrls;
  } else if (m.type === 'fill') {
    // Tokens first: the timings are of the connection and the join only.
    const signed = await Promise.all(m.peers.map(async (p) => ({ ...p, token: (await tokens!.mint({ roomId: p.roomId, name: p.name, role: 'participant' })).token })));
    const task = (p: (typeof signed)[number]) => async () => {
      const joined = await connectAndJoin(nodeUrls, p.roomId, p.token);
      sockets.push(joined.socket);
      joined.socket.on('disconnect', () => lost++);
      return joined.timing;
    };
    const results = m.burst ? await Promise.all(signed.map((p) => task(p)().catch((e: Error) => e))) : await pool(signed.map(task), m.concurrency);
    send({ type: 'filled', timings: results.filter((r): r is JoinTiming => !(r instanceof Error)), errors: errorsOf(results) });
  } else if (m.type === 'rtt') {
    // A cheap request answered by the session's handler: pausing a producer that does not exist
    // (answered `{ ok: false, NOT_FOUND }` after validation and the rate limit).
    const step = Math.max(1, Math.floor(sockets.length / Math.max(1, m.count)));
    const picked = sockets.filter((_, i) => i % step === 0).slice(0, m.count);
    const results = await pool(picked.map((s) => async () => {
      const t0 = performance.now();
      await request(s, 'pauseProducer', { producerId: 'bench-none' }, true, 30_000);
      return performance.now() - t0;
    }), m.concurrency);
    send({ type: 'rtt', ms: results.filter((r): r is number => typeof r === 'number'), errors: errorsOf(results) });
  } else if (m.type === 'status') {
    send({ type: 'status', open: sockets.filter((s) => s.connected).length, lost, rssBytes: process.memoryUsage().rss });
  } else if (m.type === 'close') {
    for (const s of sockets) s.close();
    setTimeout(() => process.exit(0), 200);
  }
}
