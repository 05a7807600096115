/**
 * The long fuzz run (`npm run fuzz`): `npm start`'s entry (server/src/main.ts) in its own process,
 * fed ROUNDS rounds of the fuzz cases of tests/helpers/Fuzzer.ts (raw HTTP and upgrades, REST
 * bodies, socket.io events and engine.io frames, /collab frames and Yjs updates), a new seed per
 * round. After every surface it checks that the process is alive and answers /healthz. Prints
 * cases, crashes, unanswered requests and server errors per surface, and the conditions; the
 * figures go in docs/benchmarks.md. Bounded: ROUNDS × CASES cases, then it stops.
 *   npm run fuzz -- [--rounds 10] [--cases 300] [--seed 1]
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import { Fuzzer, type SurfaceReport } from '../tests/helpers/Fuzzer.js';
import { startServerProcess } from './bench/lib/serverProcess.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '10' }, cases: { type: 'string', default: '300' }, seed: { type: 'string', default: '1' } } });
const rounds = Number(values.rounds);
const cases = Number(values.cases);
const seed0 = Number(values.seed);

const totals = new Map<string, { cases: number; unanswered: number; serverErrors: number; findings: string[] }>();
let crashes = 0;
const t0 = Date.now();
let server = await startServerProcess('server/src/main.ts', { MEDIA_WORKERS: '1' });
const alive = async () => {
  try {
    process.kill(server.pid, 0);
  } catch {
    return false;
  }
  return fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.ok).catch(() => false);
};
const admin = { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' };
for (let round = 0; round < rounds; round++) {
  const room = (await (await fetch(`${server.url}/api/rooms`, { method: 'POST', headers: admin, body: '{}' })).json()) as { id: string };
  const { token } = (await (await fetch(`${server.url}/api/rooms/${room.id}/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'Fuzz', role: 'host' }) })).json()) as { token: string };
  const fuzzer = new Fuzzer({ url: server.url, port: Number(new URL(server.url).port), adminKey: server.adminKey, roomId: room.id, token }, seed0 + round * 1000);
  for (const run of [(n: number) => fuzzer.rawHttp(n), (n: number) => fuzzer.rest(n), (n: number) => fuzzer.socketIo(n), (n: number) => fuzzer.collab(n)]) {
    const r: SurfaceReport = await run(cases);
    const t = totals.get(r.surface) ?? { cases: 0, unanswered: 0, serverErrors: 0, findings: [] };
    t.cases += r.cases;
    t.unanswered += r.unanswered;
    t.serverErrors += r.serverErrors;
    t.findings.push(...r.findings.slice(0, 5));
    totals.set(r.surface, t);
    if (!(await alive())) {
      crashes++;
      console.error(`round ${round}, ${r.surface}: the server died or stopped answering; restarting it`);
      await server.stop();
      server = await startServerProcess('server/src/main.ts', { MEDIA_WORKERS: '1' });
    }
  }
  console.log(`round ${round + 1}/${rounds} done (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}
await server.stop();

console.log(`\nfuzz: ${rounds} rounds × ${cases} cases per surface, seeds ${seed0}…${seed0 + (rounds - 1) * 1000}, ${os.cpus().length} cores, Node ${process.versions.node}, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log('| surface | cases | unanswered | server errors |');
console.log('|---|---|---|---|');
for (const [surface, t] of totals) console.log(`| ${surface} | ${t.cases} | ${t.unanswered} | ${t.serverErrors} |`);
console.log(`process crashes (died or stopped answering /healthz): ${crashes}`);
for (const [surface, t] of totals) for (const f of t.findings) console.log(`  ${surface}: ${f}`);
process.exit(crashes + [...totals.values()].reduce((n, t) => n + t.unanswered + t.serverErrors, 0) > 0 ? 1 : 0);
