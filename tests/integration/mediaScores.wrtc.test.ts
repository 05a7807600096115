import * as assert from 'uvu/assert';
import { MEDIA_LIMITS } from '@nomades/shared';
import { exitAfterRun } from '../helpers/exitAfterRun.js';
import { waitFor } from '../helpers/waitFor.js';
import { joinBot, wrtcSuite } from '../helpers/wrtcSuite.js';
import type { WrtcBot } from '../helpers/WrtcBot.js';

/**
 * MEDIA-4 (docs/spec/media.md): each participant is told mediasoup's transmission scores of its
 * own producers (its uplink as the SFU receives it) and of its consumers (its downlink, with the
 * producer's score), and of nothing else; on a clean loopback they are good. The web client
 * turns them into the tiles' connection level (MEDIA-5).
 */
const scores = wrtcSuite('media scores');

/** The latest score of each id in `bot`'s mediaScores notifications. */
function latest(bot: WrtcBot): { producers: Map<string, number>; consumers: Map<string, { producerId: string; score: number; producerScore: number }> } {
  const producers = new Map<string, number>();
  const consumers = new Map<string, { producerId: string; score: number; producerScore: number }>();
  for (const report of bot.mediaScores) {
    for (const p of report.producers) producers.set(p.producerId, p.score);
    for (const { consumerId, ...c } of report.consumers) consumers.set(consumerId, c);
  }
  return { producers, consumers };
}

scores('each participant receives the scores of its own producers and consumers, good on loopback, and no one else’s', async (ctx) => {
  const srv = ctx.srv!;
  const { id } = await srv.createRoom({ name: 'Scores' });
  const ada = await joinBot(ctx, id, 'Ada');
  const grace = await joinBot(ctx, id, 'Grace');
  const room = srv.server.registry.get(id)!;
  for (const bot of [ada, grace]) {
    const media = room.getPeer(bot.peerId)!.media;
    await waitFor(`${bot.name} receives two consumers`, () => media.consumers.size === 2, 15_000);
    const own = [...media.producers.keys()];
    const consumed = [...media.consumers.keys()];
    assert.is(own.length, 2, `${bot.name} sends a microphone and a camera`);
    await waitFor(
      `${bot.name}: good scores (≥ 8) for its two producers and two consumers`,
      () => {
        const { producers, consumers } = latest(bot);
        return (
          own.every((p) => (producers.get(p) ?? 0) >= 8) &&
          consumed.every((c) => (consumers.get(c)?.score ?? 0) >= 8 && (consumers.get(c)?.producerScore ?? 0) >= 8)
        );
      },
      20_000,
      200,
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${JSON.stringify(bot.mediaScores)} own ${own} consumed ${consumed}`);
    });
    const { producers, consumers } = latest(bot);
    assert.equal([...producers.keys()].filter((p) => !own.includes(p)), [], `${bot.name} is told only of its own producers`);
    assert.equal([...consumers.keys()].filter((c) => !consumed.includes(c)), [], `${bot.name} is told only of its own consumers`);
    for (const [consumerId, c] of consumers) assert.is(c.producerId, media.consumers.get(consumerId)!.producerId, 'the consumer’s producer');
    // Coalesced (unit-tested exactly in scoreReporter.test.ts): here a lower bound only, which a
    // loaded machine can only make longer.
    const gaps = bot.mediaScores.slice(1).map((r, i) => r.at - bot.mediaScores[i].at);
    assert.ok(gaps.every((gap) => gap >= MEDIA_LIMITS.scoreIntervalMs - 100), `${bot.name}: reports ≥ ${MEDIA_LIMITS.scoreIntervalMs} ms apart: ${gaps.join(', ')}`);
  }
});

exitAfterRun(scores);
