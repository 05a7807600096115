// Cost of judging client updates by their effect (COL-5, server/src/collab/UpdateInspector.ts),
// in process, no network: a room document of N tldraw-like shapes and a chat, and U client
// updates recorded from a synced replica (a shape drag: YKeyValue set = delete the old entry,
// push the new one). Each mode applies the same updates, in order, to its own copy of the
// document and reports updates/s; memory is the heap held by the live document alone and with
// its inspector (the shadow replica), after a full GC.
//   node --expose-gc --import tsx scripts/bench/collabInspect.ts --shapes 5000 --updates 2000
import { YKeyValue } from 'y-utility/y-keyvalue';
import * as Y from 'yjs';
import { BOARD_RULES } from '../../server/src/collab/boardRules.js';
import { UpdateInspector } from '../../server/src/collab/UpdateInspector.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SHAPES = arg('shapes', 5000);
const UPDATES = arg('updates', 2000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const record = (i: number, x: number) => ({
  key: `shape:${i}`,
  val: { id: `shape:${i}`, typeName: 'shape', type: 'geo', x, y: i, rotation: 0, index: 'a1', parentId: 'page:page', props: { w: 100, h: 80, geo: 'rectangle', text: `shape ${i}` } },
});

// The stored document: shapes, schema, 200 chat messages (written under another client id).
const base = new Y.Doc();
base.transact(() => {
  for (let i = 0; i < SHAPES; i++) base.getArray('board').push([record(i, 0)]);
  base.getMap('meta').set('schema', { schemaVersion: 2, sequences: {} });
});
const server = new Y.Doc();
Y.applyUpdate(server, Y.encodeStateAsUpdate(base));
for (let i = 0; i < 200; i++) {
  server.getArray('chat').push([{ id: `m${i}`, authorId: 'user-a', authorName: 'A', text: `message ${i}`, time: Date.now() }]);
}
const stored = Y.encodeStateAsUpdate(server);

// The client's updates: drags of random shapes, one update per move.
const client = new Y.Doc();
Y.applyUpdate(client, stored);
const board = new YKeyValue(client.getArray<{ key: string; val: unknown }>('board'));
const updates: Uint8Array[] = [];
client.on('update', (u: Uint8Array) => updates.push(u));
for (let n = 0; n < UPDATES; n++) {
  const i = (n * 7919) % SHAPES;
  board.set(`shape:${i}`, record(i, n).val);
}
const updateBytes = updates.reduce((s, u) => s + u.byteLength, 0);

function liveCopy(): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, stored);
  return doc;
}

function run(mode: 'apply' | 'inspect'): number {
  const live = liveCopy();
  const inspector = mode === 'inspect' ? new UpdateInspector(live, BOARD_RULES) : null;
  if (inspector) live.on('update', (u: Uint8Array) => inspector.follow(u));
  const started = performance.now();
  for (const u of updates) {
    if (!inspector) {
      Y.applyUpdate(live, u, 'client');
      continue;
    }
    const problem = inspector.inspect(u);
    if (problem) throw new Error(`refused: ${problem}`);
    inspector.commit(u, 'client');
  }
  const seconds = (performance.now() - started) / 1000;
  if (live.getArray('board').length !== SHAPES) throw new Error('the board lost entries');
  inspector?.destroy();
  live.destroy();
  return UPDATES / seconds;
}

function heapMb(build: () => unknown): number {
  gc!();
  const before = process.memoryUsage().heapUsed;
  const held = build();
  gc!();
  const after = process.memoryUsage().heapUsed;
  void held;
  return (after - before) / 1024 / 1024;
}

run('apply'); // warm-up
run('inspect');
const apply = Math.max(run('apply'), run('apply'));
const inspect = Math.max(run('inspect'), run('inspect'));
const liveOnly = heapMb(() => liveCopy());
const withShadow = heapMb(() => {
  const live = liveCopy();
  return [live, new UpdateInspector(live, BOARD_RULES)];
});

console.log(
  JSON.stringify({
    shapes: SHAPES,
    documentBytes: stored.byteLength,
    updates: UPDATES,
    meanUpdateBytes: Math.round(updateBytes / UPDATES),
    updatesPerSecond: { applyOnly: Math.round(apply), inspectAndCommit: Math.round(inspect) },
    heapMb: { liveDocument: +liveOnly.toFixed(1), liveAndShadow: +withShadow.toFixed(1) },
    node: process.version,
  }),
);
