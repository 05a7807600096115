import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { types } from 'mediasoup';
import { IMPORT_IDLE, IMPORT_UNUSED, ImportDemand, type NodeImports } from '../../sfu/src/remote/ImportDemand.js';
import type { ProducerAppData } from '../../sfu/src/MediaPeerTypes.js';

type Producer = types.Producer<ProducerAppData>;

/** Pure logic (SPAN-3/3b): a fake NodeImports records what the source would be asked. */
function setUp() {
  const imported = new Map<string, Producer>();
  const sent: Array<[string, number]> = [];
  const released: string[] = [];
  const imports: NodeImports = {
    imported,
    release: (id) => (released.push(id), imported.delete(id)),
    setDemand: (id, layer) => sent.push([id, layer]),
  };
  const demands = new Map<string, number>();
  const demand = new ImportDemand({ imports: () => imports, demand: (p) => demands.get(p.id) ?? IMPORT_UNUSED, releaseAfterMs: 5_000, lowerAfterMs: 1_000 });
  const add = (id: string, kind: 'audio' | 'video' = 'video') => imported.set(id, { id, kind, closed: false } as unknown as Producer);
  return { imported, sent, released, demands, demand, add };
}

test('less is asked after 1 s of lower demand, more at once; idle is -1', () => {
  const { sent, demands, demand, add } = setUp();
  add('cam');
  demands.set('cam', 0); // small tiles
  demand.check(0);
  demand.check(900);
  assert.equal(sent, [], 'not before lowerAfterMs (a new pipe sends every layer)');
  demand.check(1_000);
  assert.equal(sent, [['cam', 0]]);
  assert.is(demand.asked('cam'), 0);
  demands.set('cam', 2); // a tile enlarged
  demand.check(1_100);
  assert.equal(sent.at(-1), ['cam', 2], 'more at once');
  demands.set('cam', IMPORT_IDLE); // every tile off screen
  demand.check(1_200);
  demand.check(1_700);
  assert.is(sent.length, 2, 'a dip shorter than lowerAfterMs asks nothing');
  demand.check(2_200);
  assert.equal(sent.at(-1), ['cam', IMPORT_IDLE]);
  demand.close();
});

test('an unused import is released after releaseAfterMs; audio is only released, never lowered', () => {
  const { sent, released, demands, demand, add } = setUp();
  add('mic', 'audio');
  add('cam');
  demands.set('mic', IMPORT_IDLE);
  demand.check(0); // cam unused (no demand), mic idle
  demand.check(4_999);
  assert.equal(released, []);
  demand.check(5_000);
  assert.equal(released, ['cam']);
  assert.equal(sent, [['cam', IMPORT_IDLE]], 'the unused camera was paused meanwhile (after 1 s)');
  assert.not.ok(sent.some(([id]) => id === 'mic'), 'audio is never lowered');
  demand.close();
});

test('a producer piped again is a new import: its source is asked again, even for the same layer', () => {
  const { sent, demands, demand, add, imported } = setUp();
  add('cam');
  demands.set('cam', 0);
  demand.check(0);
  demand.check(1_000);
  assert.equal(sent, [['cam', 0]]);
  imported.delete('cam');
  add('cam'); // released and piped again between two looks: a new pipe sends every layer
  demand.check(1_100);
  demand.check(2_100);
  assert.equal(sent, [['cam', 0], ['cam', 0]]);
  demand.close();
});

test.run();
