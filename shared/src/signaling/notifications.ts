import { z } from 'zod';
import { errorPayloadSchema } from '../errors.js';
import { mediaKindSchema, mediaSourceSchema, peerInfoSchema } from './requests.js';
import { moderatedSourceSchema } from '../rights.js';
import { roleSchema } from '../token.js';
import { roomControlsSchema } from './moderationSchemas.js';
import { reactionEmojiSchema } from './reactions.js';
import { LIMITS } from '../limits.js';
import { recordingStatusSchema } from '../recording/recording.js';
import { pollNotifications } from './polls.js';

/** Server → client notifications (socket.io events without acknowledgement). */
const id = z.string();
export const notifications = {
  peerJoined: z.object({ peer: peerInfoSchema }),
  peerLeft: z.object({ peerId: id }),
  /** SIG-13: a peer's socket was lost; it is kept (seat, media) for the grace period. */
  peerReconnecting: z.object({ peerId: id }),
  /** SIG-13: that peer resumed within the grace period (same peer id, producers and consumers). */
  peerReconnected: z.object({ peerId: id }),
  newProducer: z.object({ peerId: id, producerId: id, kind: mediaKindSchema, source: mediaSourceSchema, paused: z.boolean() }),
  producerClosed: z.object({ peerId: id, producerId: id }),
  producerPaused: z.object({ peerId: id, producerId: id }),
  producerResumed: z.object({ peerId: id, producerId: id }),
  consumerClosed: z.object({ consumerId: id, producerId: id }),
  /** The dominant speaker changed (speaker view, grid order). */
  activeSpeaker: z.object({ peerId: id }),
  /** Who is audible, loudest first (dBov, -127…0); an empty list when nobody is. At most 2 per second. */
  audioLevels: z.object({ levels: z.array(z.object({ peerId: id, volume: z.number() })).max(10) }),
  /** Whether the room is being recorded; sent on change and to every joiner while it records. */
  /** REC-4; `refused`: a flagged room's recording could not start (DISK-1: the recordings' disk is low). */
  recording: z.object({ active: z.boolean(), refused: z.enum(['diskLow']).optional() }),
  /** REC-14: to the room's hosts, each time one of its recordings changes status (RS-6): processing, ready, failed. */
  recordingStatus: z.object({ recordingId: id, status: recordingStatusSchema }),
  /** The server is closing this session (kicked, timed out, room closed); `error` says why. */
  closing: z.object({ error: errorPayloadSchema }),
  /** Moderation (MOD-n, LOBBY-n): the room's controls as this peer sees them, sent on every change. */
  roomControls: roomControlsSchema,
  /** A peer's role changed (promote/demote); sent to everyone, the peer included. */
  roleChanged: z.object({ peerId: id, role: roleSchema }),
  /** To the muted peer: a host muted its microphone or stopped its camera/screen. */
  mutedByHost: z.object({ source: moderatedSourceSchema, locked: z.boolean() }),
  /**
   * MEDIA-4: transmission scores (0…10, mediasoup's) that changed, to their owner only, at most
   * once per MEDIA_LIMITS.scoreIntervalMs: its producers as the SFU receives them (its uplink),
   * its consumers as it receives them (`score`, its downlink) with the producer's (`producerScore`).
   */
  mediaScores: z.object({
    producers: z.array(z.object({ producerId: id, score: z.number().int().min(0).max(10) })).max(LIMITS.maxProducersPerPeer),
    consumers: z.array(z.object({ consumerId: id, producerId: id, score: z.number().int().min(0).max(10), producerScore: z.number().int().min(0).max(10) })),
  }),
  /** To a session waiting in the lobby: a host admitted it, send `join` again. */
  lobbyAdmitted: z.object({}),
  /** RCT-1: a peer reacted (sent to everyone, the sender included; not replayed on resume). */
  reaction: z.object({ peerId: id, emoji: reactionEmojiSchema }),
  ...pollNotifications,
} as const;

export type NotificationName = keyof typeof notifications;

/**
 * SIG-13: notifications that are about the moment only (who speaks now) carry no seq and are not
 * sent again on resume; every other one is sent as `emit(name, data, seq)` with a seq that grows
 * by one per peer, so that a resumed client receives what its lost socket missed.
 */
export const EPHEMERAL_NOTIFICATIONS: ReadonlySet<NotificationName> = new Set(['audioLevels', 'activeSpeaker', 'reaction', 'mediaScores']);
export type NotificationData<N extends NotificationName> = z.infer<(typeof notifications)[N]>;
