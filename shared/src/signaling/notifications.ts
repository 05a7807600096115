import { z } from 'zod';
import { errorPayloadSchema } from '../errors.js';
import { mediaKindSchema, mediaSourceSchema, peerInfoSchema } from './requests.js';

/** Server → client notifications (socket.io events without acknowledgement). */
const id = z.string();
export const notifications = {
  peerJoined: z.object({ peer: peerInfoSchema }),
  peerLeft: z.object({ peerId: id }),
  newProducer: z.object({ peerId: id, producerId: id, kind: mediaKindSchema, source: mediaSourceSchema, paused: z.boolean() }),
  producerClosed: z.object({ peerId: id, producerId: id }),
  producerPaused: z.object({ peerId: id, producerId: id }),
  producerResumed: z.object({ peerId: id, producerId: id }),
  consumerClosed: z.object({ consumerId: id, producerId: id }),
  /** The server is closing this session (kicked, timed out, room closed); `error` says why. */
  closing: z.object({ error: errorPayloadSchema }),
} as const;

export type NotificationName = keyof typeof notifications;
export type NotificationData<N extends NotificationName> = z.infer<(typeof notifications)[N]>;
