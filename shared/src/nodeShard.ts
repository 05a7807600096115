import { z } from 'zod';
import { rtpParametersSchema } from './signaling/mediaSchemas.js';
import { notifications } from './signaling/notifications.js';
import { mediaKindSchema, mediaSourceSchema, requests } from './signaling/requests.js';

/**
 * SPAN-2: the protocol between a room's home and its media shard on the annex, over the node
 * channel of that room (`sfu/src/remote/NodeChannel.ts`). The home asks (`shard.*` requests, one
 * per MediaParticipant method, each naming the participant), the annex answers with plain data
 * and pushes what its participants' media do (`shard.*` events). The annex validates every request
 * with these schemas: a node is authenticated, not trusted with malformed input.
 */
export const SHARD_LIMITS = {
  /** Participants one shard (one room's media on the annex) hosts at most. */
  maxPeers: 500,
} as const;

const id = z.string().min(1).max(64);
const peer = { peerId: id };
const empty = z.object({}).strict();

/** A producer of the shard, as the home's view of it needs it. */
export const shardProducerSchema = z.object({
  id,
  kind: mediaKindSchema,
  paused: z.boolean(),
  appData: z.object({ peerId: id, source: mediaSourceSchema }),
});
export type ShardProducer = z.infer<typeof shardProducerSchema>;

/** A consumer of the shard, as the home's view of it (and the client's consume answer) needs it. */
export const shardConsumerSchema = z.object({
  id,
  producerId: id,
  kind: mediaKindSchema,
  rtpParameters: rtpParametersSchema,
  paused: z.boolean(),
  producerPaused: z.boolean(),
  appData: z.object({ peerId: id, producerPeerId: id, source: mediaSourceSchema }),
});
export type ShardConsumer = z.infer<typeof shardConsumerSchema>;

const producerRef = z.object({ ...peer, producerId: id }).strict();
const consumerRef = z.object({ ...peer, consumerId: id }).strict();

/** Home → annex requests: the client's request (already checked by the home) plus the participant. */
export const shardRequests = {
  'shard.createPeer': { request: z.object(peer).strict(), response: empty },
  'shard.closePeer': { request: z.object(peer).strict(), response: empty },
  'shard.setRtpCapabilities': { request: requests.setRtpCapabilities.request.extend(peer), response: empty },
  'shard.createTransport': { request: requests.createTransport.request.extend(peer), response: requests.createTransport.response },
  'shard.restartIce': { request: requests.restartIce.request.extend(peer), response: requests.restartIce.response },
  'shard.connectTransport': { request: requests.connectTransport.request.extend(peer), response: empty },
  'shard.produce': { request: requests.produce.request.extend(peer), response: shardProducerSchema },
  'shard.closeProducer': { request: producerRef, response: empty },
  'shard.pauseProducer': { request: producerRef, response: shardProducerSchema },
  'shard.resumeProducer': { request: producerRef, response: shardProducerSchema },
  'shard.consume': { request: requests.consume.request.extend(peer), response: shardConsumerSchema },
  'shard.consumeMany': {
    request: requests.consumeMany.request.extend(peer),
    response: z.object({ consumers: z.array(shardConsumerSchema), missing: z.array(id) }),
  },
  'shard.resumeConsumers': { request: requests.resumeConsumers.request.extend(peer), response: requests.resumeConsumers.response },
  'shard.pauseConsumer': { request: consumerRef, response: empty },
  'shard.resumeConsumer': { request: consumerRef, response: empty },
  'shard.setConsumerLayers': { request: requests.setConsumerLayers.request.extend(peer), response: empty },
  /**
   * SPAN-3: brings one of the shard's producers to the router its node pipes use, so that the
   * home's `pipe.` import finds it there (the producer's own router may be another worker's).
   */
  'shard.export': { request: z.object({ producerId: id }).strict(), response: empty },
} as const;

export type ShardRequestName = keyof typeof shardRequests;
export type ShardRequestData<N extends ShardRequestName> = z.infer<(typeof shardRequests)[N]['request']>;
export type ShardResponseData<N extends ShardRequestName> = z.infer<(typeof shardRequests)[N]['response']>;

/** Annex → home events: what the shard's participants' media did (MediaParticipantEvents). */
export const shardEvents = {
  'shard.newproducer': z.object({ ...peer, producer: shardProducerSchema }),
  'shard.producerpaused': producerRef,
  'shard.producerresumed': producerRef,
  'shard.producerclosed': producerRef,
  'shard.bitrateexceeded': z.object({ ...peer, producerId: id, bitsPerSecond: z.number().nonnegative() }),
  'shard.consumerclosed': consumerRef,
  'shard.scores': z.object({ ...peer, scores: notifications.mediaScores }),
  /** The shard closed this participant on its own (its worker died, the shard closed). */
  'shard.peerclosed': z.object(peer).strict(),
} as const;

export type ShardEventName = keyof typeof shardEvents;
export type ShardEventData<N extends ShardEventName> = z.infer<(typeof shardEvents)[N]>;

/** Home → annex event: the room's span on the annex ends (the home room closed or has no annex participant left). */
export const SHARD_CLOSE = 'shard.close';
