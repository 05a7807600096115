import { EventEmitter } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { types } from 'mediasoup';
import { ScoreReporter } from '../../sfu/src/ScoreReporter.js';
import type { ConsumerAppData, MediaScores, ProducerAppData } from '../../sfu/src/MediaPeerTypes.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * MEDIA-4: the scores mediasoup emits are coalesced per peer: what changed, latest value, at most
 * one report per interval. Producers and consumers are event emitters standing in for mediasoup's
 * (same `score` events and `observer` close), so that the bursts are exact.
 */
class FakeProducer extends EventEmitter {
  readonly observer = new EventEmitter();
  score: Array<{ encodingIdx: number; ssrc: number; score: number }> = [];
  constructor(readonly id: string) {
    super();
  }
}
class FakeConsumer extends EventEmitter {
  readonly observer = new EventEmitter();
  score = { score: 10, producerScore: 0, producerScores: [] as number[] };
  constructor(readonly id: string, readonly producerId: string) {
    super();
  }
}
const asProducer = (p: FakeProducer) => p as unknown as types.Producer<ProducerAppData>;
const asConsumer = (c: FakeConsumer) => c as unknown as types.Consumer<ConsumerAppData>;

test('the scores mediasoup had before the watch are reported (it emits changes only)', async () => {
  const reports: MediaScores[] = [];
  const reporter = new ScoreReporter((s) => reports.push(s), 50);
  const cam = new FakeProducer('p-cam');
  cam.score = [{ encodingIdx: 0, ssrc: 2, score: 10 }];
  const consumer = new FakeConsumer('c-1', 'p-other');
  consumer.score = { score: 10, producerScore: 10, producerScores: [10] };
  reporter.watchProducer(asProducer(cam));
  reporter.watchConsumer(asConsumer(consumer));
  await waitFor('a report', () => reports.length === 1, 2000);
  assert.equal(reports[0], { producers: [{ producerId: 'p-cam', score: 10 }], consumers: [{ consumerId: 'c-1', producerId: 'p-other', score: 10, producerScore: 10 }] });
  reporter.close();
});

test('a burst of score changes is one report with the latest values; an unchanged score is not reported', async () => {
  const reports: MediaScores[] = [];
  const reporter = new ScoreReporter((s) => reports.push(s), 100);
  const mic = new FakeProducer('p-mic');
  const cam = new FakeProducer('p-cam');
  const consumer = new FakeConsumer('c-1', 'p-other');
  reporter.watchProducer(asProducer(mic));
  reporter.watchProducer(asProducer(cam));
  reporter.watchConsumer(asConsumer(consumer));
  for (const score of [3, 5, 9]) mic.emit('score', [{ encodingIdx: 0, ssrc: 1, score }]);
  // Simulcast: the best encoding is the uplink's score.
  cam.emit('score', [{ encodingIdx: 0, ssrc: 2, score: 10 }, { encodingIdx: 1, ssrc: 3, score: 4 }]);
  for (const score of [2, 8]) consumer.emit('score', { score, producerScore: 9, producerScores: [9] });
  await waitFor('the first report', () => reports.length === 1, 2000);
  assert.equal(reports[0], {
    producers: [
      { producerId: 'p-mic', score: 9 },
      { producerId: 'p-cam', score: 10 },
    ],
    consumers: [{ consumerId: 'c-1', producerId: 'p-other', score: 8, producerScore: 9 }],
  });
  // The same values again change nothing; a new one comes in the next report, alone.
  mic.emit('score', [{ encodingIdx: 0, ssrc: 1, score: 9 }]);
  consumer.emit('score', { score: 8, producerScore: 9, producerScores: [9] });
  cam.emit('score', [{ encodingIdx: 0, ssrc: 2, score: 6 }]);
  await waitFor('the second report', () => reports.length === 2, 2000);
  assert.equal(reports[1], { producers: [{ producerId: 'p-cam', score: 6 }], consumers: [] });
  reporter.close();
});

test('a closed producer is forgotten; after close() nothing is reported', async () => {
  const reports: MediaScores[] = [];
  const reporter = new ScoreReporter((s) => reports.push(s), 50);
  const mic = new FakeProducer('p-mic');
  const cam = new FakeProducer('p-cam');
  reporter.watchProducer(asProducer(mic));
  reporter.watchProducer(asProducer(cam));
  mic.emit('score', [{ encodingIdx: 0, ssrc: 1, score: 7 }]);
  cam.emit('score', [{ encodingIdx: 0, ssrc: 2, score: 7 }]);
  mic.observer.emit('close');
  await waitFor('a report', () => reports.length === 1, 2000);
  assert.equal(reports[0].producers, [{ producerId: 'p-cam', score: 7 }], 'the closed one is left out');
  reporter.close();
  cam.emit('score', [{ encodingIdx: 0, ssrc: 2, score: 1 }]);
  // Ordering barrier: a reporter started later with the same interval reports; the closed one,
  // whose timer would have been due first, did not.
  const other: MediaScores[] = [];
  const barrier = new ScoreReporter((s) => other.push(s), 50);
  const p = new FakeProducer('p-x');
  barrier.watchProducer(asProducer(p));
  p.emit('score', [{ encodingIdx: 0, ssrc: 9, score: 5 }]);
  await waitFor('the barrier report', () => other.length === 1, 2000);
  assert.is(reports.length, 1, 'nothing after close()');
  barrier.close();
});

test.run();
