import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pino from 'pino';
import type { RecordingInfo } from '@nomades/shared';
import { RetentionService, type RetentionScope } from '../../server/src/retention/RetentionService.js';

/**
 * NODE-9, the sweep's logic alone (the store and the board are stand-ins; the sweep itself on real
 * parts is tests/integration/retention.test.ts): with several nodes, only the sweeper deletes old
 * recordings, and a room's chat is swept only by the node that owns it.
 */
const DAY = 24 * 3600_000;
const old: RecordingInfo = { id: 'rec_old', roomId: 'a', status: 'ready', startedAt: '2020-01-01T00:00:00.000Z', endedAt: '2020-01-01T01:00:00.000Z', durationMs: 1, sizeBytes: 1, progress: 1 };

function service(scope: RetentionScope | undefined, swept: string[], deleted: string[]): RetentionService {
  return new RetentionService({
    recordingDays: 30,
    chatDays: 30,
    recordings: { finishedBefore: async () => [old] },
    deleteRecording: async (r) => void deleted.push(r.id),
    collab: {
      storedRooms: async () => ['a', 'b', 'c'],
      removeChat: async (roomId: string) => (swept.push(roomId), 1),
    } as never,
    scope,
    log: pino({ level: 'silent' }),
  });
}

test('alone: the whole sweep', async () => {
  const swept: string[] = [];
  const deleted: string[] = [];
  const result = await service(undefined, swept, deleted).sweep(Date.now() + 40 * DAY);
  assert.equal(deleted, ['rec_old']);
  assert.equal(swept, ['a', 'b', 'c']);
  assert.is(result.chatMessagesRemoved, 3);
});

test('one of several: recordings only on the sweeper, each room\'s chat only where it is owned', async () => {
  for (const sweeper of [true, false]) {
    const swept: string[] = [];
    const deleted: string[] = [];
    const scope: RetentionScope = { sweeper: () => sweeper, ownsRoom: async (roomId) => roomId === 'b' };
    await service(scope, swept, deleted).sweep(Date.now() + 40 * DAY);
    assert.equal(deleted, sweeper ? ['rec_old'] : []);
    assert.equal(swept, ['b']);
  }
});

test('a room whose owner cannot be known (Redis away) is left for the next sweep', async () => {
  const swept: string[] = [];
  const scope: RetentionScope = { sweeper: () => true, ownsRoom: async (roomId) => { if (roomId === 'a') throw new Error('CLUSTER_UNAVAILABLE'); return true; } };
  await service(scope, swept, []).sweep(Date.now() + 40 * DAY);
  assert.equal(swept, ['b', 'c']);
});

test.run();
