// Whiteboard benchmark: N real @hocuspocus/provider clients (ws) in one room, each moving its own
// tldraw-like shape R times per second for S seconds (what a drag produces), against a real
// server in a child process. Prints the propagation latency of updates (sender's transaction →
// every other client applying it) p50/p95/p99, and the server process's CPU and memory.
//   npm run bench:board -- --clients 50 --rate 5 --seconds 20
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import { YKeyValue } from 'y-utility/y-keyvalue';
import * as Y from 'yjs';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CLIENTS = arg('clients', 50);
const RATE = arg('rate', 5);
const SECONDS = arg('seconds', 20);
const now = (): number => performance.timeOrigin + performance.now();
const root = path.resolve(import.meta.dirname, '../..');

interface Shape {
  id: string;
  typeName: 'shape';
  type: 'geo';
  x: number;
  y: number;
  props: { w: number; h: number; geo: string };
  meta: { sentAt: number };
}

function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
}
function memoryMb(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const server = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/bench/boardServer.ts'), String(CLIENTS)], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const first = await new Promise<string>((resolve, reject) => {
  createInterface({ input: server.stdout! }).once('line', resolve);
  server.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  setTimeout(() => reject(new Error('server did not start within 60 s')), 60_000).unref();
});
const { url, roomId, tokens } = JSON.parse(first) as { url: string; roomId: string; tokens: string[] };

const latencies: number[] = [];
let measuring = false;
const clients = tokens.map((token, i) => {
  const doc = new Y.Doc();
  const board = new YKeyValue<Shape>(doc.getArray('board'));
  board.on('change', (changes: Map<string, unknown>, tr: Y.Transaction) => {
    if (tr.local || !measuring) return;
    const t = now();
    for (const key of changes.keys()) {
      const v = board.get(key);
      if (v) latencies.push(t - v.meta.sentAt);
    }
  });
  const socket = new HocuspocusProviderWebsocket({ url: `${url.replace(/^http/, 'ws')}/collab`, WebSocketPolyfill: WebSocket });
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: `rooms/${roomId}`, token, document: doc });
  provider.attach();
  return { i, doc, board, provider, socket, x: 0 };
});
const deadline = Date.now() + 60_000;
while (clients.some((c) => !c.provider.isSynced)) {
  if (Date.now() > deadline) throw new Error('clients did not sync within 60 s');
  await new Promise((r) => setTimeout(r, 50));
}
clients[0].doc.getMap('meta').set('schema', { schemaVersion: 2, sequences: {} });

const cpu0 = cpuSeconds(server.pid!);
const self0 = process.cpuUsage();
const t0 = Date.now();
measuring = true;
let sent = 0;
const timers = clients.map((c) =>
  setTimeout(() => {
    const tick = setInterval(() => {
      c.x += 1;
      c.board.set(`shape:${c.i}`, {
        id: `shape:${c.i}`,
        typeName: 'shape',
        type: 'geo',
        x: c.x,
        y: c.i * 10,
        props: { w: 100, h: 80, geo: 'rectangle' },
        meta: { sentAt: now() },
      });
      sent++;
    }, 1000 / RATE);
    timers.push(tick as unknown as NodeJS.Timeout);
  }, Math.random() * (1000 / RATE)),
);
await new Promise((r) => setTimeout(r, SECONDS * 1000));
for (const t of timers) clearInterval(t);
await new Promise((r) => setTimeout(r, 1000)); // let the last updates arrive
measuring = false;
const wall = (Date.now() - t0) / 1000;
const cpu = cpuSeconds(server.pid!) - cpu0;
const mem = memoryMb(server.pid!);
const self = process.cpuUsage(self0);
for (const c of clients) {
  c.provider.destroy();
  c.socket.connect = async () => undefined;
  c.socket.destroy();
}
server.kill('SIGTERM');

latencies.sort((a, b) => a - b);
const expected = sent * (CLIENTS - 1);
console.log(`board benchmark: ${CLIENTS} clients in one room, each moving its shape ${RATE}×/s for ${SECONDS} s`);
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`);
console.log('conditions: server (1 media worker, idle) in its own process; all clients in this process (ws, loopback)');
console.log(`updates sent: ${sent} (${(sent / SECONDS).toFixed(0)}/s), deliveries measured: ${latencies.length} of ${expected} expected`);
console.log(
  `propagation latency ms: p50 ${pct(latencies, 50).toFixed(1)}  p95 ${pct(latencies, 95).toFixed(1)}  p99 ${pct(latencies, 99).toFixed(1)}  max ${latencies.at(-1)?.toFixed(1)}`,
);
console.log(`server CPU: ${((cpu / wall) * 100).toFixed(0)} % of one core over ${wall.toFixed(1)} s; memory: RSS ${mem.rss.toFixed(0)} MB (peak ${mem.peak.toFixed(0)} MB)`);
console.log(`client process CPU: ${(((self.user + self.system) / 1e6 / wall) * 100).toFixed(0)} % of one core (near 100 %: latencies include the clients' own queueing); load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
await new Promise((r) => setTimeout(r, 500));
process.exit(0);
