import { z } from 'zod';

/**
 * Reactions (RCT-n in docs/spec/signaling.md): a participant sends one emoji of a fixed list, the
 * room sees it over the sender's tile for a few seconds. Merged into the request map of requests.ts.
 */
export const REACTION_EMOJIS = ['👍', '👏', '😂', '❤️', '🎉', '😮'] as const;
export const reactionEmojiSchema = z.enum(REACTION_EMOJIS);
export type ReactionEmoji = z.infer<typeof reactionEmojiSchema>;

export const REACTION_LIMITS = {
  /** RCT-2: per peer, a token bucket: reactions per second sustained, and burst. */
  reactionsPerSecond: 1,
  reactionBurst: 5,
  /** Client: how long a reaction stays shown over the tile. */
  displayMs: 4000,
} as const;

const empty = z.object({}).strict();

export const reactionRequests = {
  /** RCT-1: every joined peer (attendees too) may react; the room, the sender included, gets `reaction`. */
  react: { request: z.object({ emoji: reactionEmojiSchema }).strict(), response: empty },
} as const;
