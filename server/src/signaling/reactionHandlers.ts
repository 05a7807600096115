import { AppError, REACTION_LIMITS, type reactionRequests } from '@nomades/shared';
import type { Peer } from '../rooms/Peer.js';
import type { RequestHandlers } from './requestHandlers.js';
import { TokenBucket } from './TokenBucket.js';

type ReactionHandlers = Pick<RequestHandlers, keyof typeof reactionRequests>;

/** RCT-2: each peer's reaction bucket (kept across a resume: the same Peer). */
const buckets = new WeakMap<Peer, TokenBucket>();

/** Reactions (docs/spec/signaling.md RCT-n): the emoji was checked against the list by the schema. */
export const reactionHandlers: ReactionHandlers = {
  async react(ctx, { emoji }) {
    const { room, peer } = ctx.joined();
    let bucket = buckets.get(peer);
    if (!bucket) buckets.set(peer, (bucket = new TokenBucket(REACTION_LIMITS.reactionsPerSecond, REACTION_LIMITS.reactionBurst)));
    if (!bucket.take()) {
      throw new AppError('RATE_LIMITED', `at most ${REACTION_LIMITS.reactionBurst} reactions at once, then ${REACTION_LIMITS.reactionsPerSecond} per second`, {
        perSecond: REACTION_LIMITS.reactionsPerSecond,
      });
    }
    room.broadcast('reaction', { peerId: peer.id, emoji });
    return {};
  },
};
