import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REACTION_LIMITS } from '@nomades/shared';
import { ReactionState } from '../../client/src/media/ReactionState.js';
import type { SignalingClient } from '../../client/src/media/SignalingClient.js';
import { waitFor } from '../helpers/waitFor.js';

/**
 * The web client's reaction store (RCT-n): what the server's `reaction` notifications make it
 * show, for how long, and what `send` asks; against a signaling double (the server side is
 * tests/integration/reactions.test.ts).
 */
class FakeSignaling {
  readonly sent: Array<{ name: string; data: unknown }> = [];
  private readonly handlers = new Map<string, Set<(data: unknown) => void>>();
  on(name: string, handler: (data: unknown) => void): () => void {
    if (!this.handlers.has(name)) this.handlers.set(name, new Set());
    this.handlers.get(name)!.add(handler);
    return () => this.handlers.get(name)!.delete(handler);
  }
  async request(name: string, data: unknown): Promise<unknown> {
    this.sent.push({ name, data });
    return {};
  }
  notify(name: string, data: unknown): void {
    for (const h of this.handlers.get(name) ?? []) h(data);
  }
}

test('RCT-1: a reaction is shown for displayMs, in arrival order, and announced once; a peer that leaves takes its own away', async () => {
  const signaling = new FakeSignaling();
  const state = new ReactionState(signaling as unknown as SignalingClient);
  const announced: string[] = [];
  state.on('reaction', (r) => announced.push(`${r.peerId} ${r.emoji}`));
  let changes = 0;
  state.subscribe(() => changes++);
  const start = Date.now();
  signaling.notify('reaction', { peerId: 'p1', emoji: '👍' });
  signaling.notify('reaction', { peerId: 'p2', emoji: '🎉' });
  signaling.notify('reaction', { peerId: 'p1', emoji: '❤️' });
  assert.equal(state.getSnapshot().active.map((r) => `${r.peerId} ${r.emoji}`), ['p1 👍', 'p2 🎉', 'p1 ❤️']);
  assert.equal(announced, ['p1 👍', 'p2 🎉', 'p1 ❤️']);
  assert.is(new Set(state.getSnapshot().active.map((r) => r.id)).size, 3, 'distinct ids');
  assert.is(changes, 3);
  signaling.notify('peerLeft', { peerId: 'p2' });
  assert.equal(state.getSnapshot().active.map((r) => r.emoji), ['👍', '❤️']);
  await waitFor('the reactions to go', () => state.getSnapshot().active.length === 0, REACTION_LIMITS.displayMs + 2000, 50);
  assert.ok(Date.now() - start >= REACTION_LIMITS.displayMs - 5, 'not before displayMs');
  state.close();
});

test('RCT-1: send asks `react { emoji }`; after close nothing more is shown and no timer is left', async () => {
  const signaling = new FakeSignaling();
  const state = new ReactionState(signaling as unknown as SignalingClient);
  await state.send('👏');
  assert.equal(signaling.sent, [{ name: 'react', data: { emoji: '👏' } }]);
  signaling.notify('reaction', { peerId: 'p1', emoji: '👏' });
  state.close();
  signaling.notify('reaction', { peerId: 'p1', emoji: '😂' });
  assert.is(state.getSnapshot().active.length, 1, 'nothing added after close');
});

test.run();
