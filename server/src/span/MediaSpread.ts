import type { MediaRoom, NodeChannel } from '@nomades/sfu';

/**
 * SPAN-5: where the media of a participant joining a room hosted here goes. `undefined`: on this
 * node; a channel: on the room's annex, through that channel. Throws `ROOM_FULL` when neither
 * node has room for one more, `UNAVAILABLE` when the cluster cannot say now (retryable).
 */
export interface MediaSpread {
  annexFor(room: { id: string; media: MediaRoom }): Promise<NodeChannel | undefined>;
}

/** One node, or no limit: every participant's media is here. */
export const LOCAL_MEDIA: MediaSpread = { annexFor: async () => undefined };
