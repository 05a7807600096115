import { AppError } from '@nomades/shared';
import { assertRight } from '../moderation/assertRight.js';
import { Moderator } from '../moderation/Moderator.js';
import type { moderationRequests } from '@nomades/shared';
import type { RequestHandlers } from './requestHandlers.js';
import type { SessionContext } from './SessionContext.js';

type ModerationHandlers = Pick<RequestHandlers, keyof typeof moderationRequests>;

/** The joined room and peer, after checking that the peer is a host (MOD-7). */
function asHost(ctx: SessionContext) {
  const joined = ctx.joined();
  assertRight(joined.peer.role, 'moderate');
  return { ...joined, moderator: new Moderator(ctx.log), by: { peerId: joined.peer.id } };
}

/**
 * Moderation requests (docs/spec/signaling.md, MOD-n / LOBBY-n). Every one but `setHand` on
 * oneself needs the `moderate` right of the peer's current role; others get FORBIDDEN.
 */
export const moderationHandlers: ModerationHandlers = {
  async setHand(ctx, { raised, peerId }) {
    const { room, peer } = ctx.joined();
    if (peerId === undefined || peerId === peer.id) {
      assertRight(peer.role, 'raiseHand');
      new Moderator(ctx.log).setHand(room, peer.id, raised);
      return {};
    }
    const host = asHost(ctx);
    if (raised) throw new AppError('FORBIDDEN', 'only the participant can raise their own hand');
    host.moderator.setHand(room, peerId, false);
    return {};
  },

  async muteParticipant(ctx, { peerId, source, lock }) {
    const { room, moderator, by } = asHost(ctx);
    await moderator.mute(room, peerId, source, lock ?? false, by);
    return {};
  },

  async unlockParticipant(ctx, { peerId, source }) {
    const { room, moderator } = asHost(ctx);
    moderator.unlock(room, peerId, source);
    return {};
  },

  async muteAll(ctx, { lock }) {
    const { room, moderator, by } = asHost(ctx);
    return { muted: await moderator.muteAll(room, lock ?? false, by) };
  },

  async removeParticipant(ctx, { peerId }) {
    const { room, moderator, by } = asHost(ctx);
    moderator.remove(room, peerId, by);
    return {};
  },

  async setRoomLock(ctx, { locked }) {
    asHost(ctx).room.controls.setLocked(locked);
    return {};
  },

  async setLobby(ctx, { enabled }) {
    asHost(ctx).room.controls.setLobbyEnabled(enabled);
    return {};
  },

  async admitFromLobby(ctx, { id }) {
    asHost(ctx).room.controls.admit(id);
    return {};
  },

  async refuseFromLobby(ctx, { id }) {
    asHost(ctx).room.controls.refuse(id);
    return {};
  },

  async setRole(ctx, { peerId, role }) {
    const { room, moderator, by } = asHost(ctx);
    moderator.setRole(room, peerId, role, by);
    return {};
  },
};
