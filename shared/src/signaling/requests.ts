import { z } from 'zod';
import { BATCH_LIMITS } from '../limits.js';
import { CLUSTER_LIMITS, nodeUrlSchema } from '../cluster.js';
import { roleSchema } from '../token.js';
import {
  dtlsParametersSchema,
  iceCandidateSchema,
  iceParametersSchema,
  rtpCapabilitiesSchema,
  rtpParametersSchema,
} from './mediaSchemas.js';
import { moderationRequests } from './moderationSchemas.js';
import { reactionRequests } from './reactions.js';
import { clientReportRequests } from './clientReports.js';
import { pollRequests } from './polls.js';

/**
 * The signaling protocol, client → server requests (socket.io events with an acknowledgement).
 * Each entry names the request and gives the schema of its data and of its answer. The server
 * validates every incoming `data` against `request`; types are derived with `z.infer`.
 * Rule IDs (SIG-n) are described in docs/spec/signaling.md.
 */
const id = z.string().min(1).max(64);
export const mediaKindSchema = z.enum(['audio', 'video']);
export const mediaSourceSchema = z.enum(['microphone', 'camera', 'screen', 'screen-audio']);
export type MediaSource = z.infer<typeof mediaSourceSchema>;

export const producerInfoSchema = z.object({
  id,
  kind: mediaKindSchema,
  source: mediaSourceSchema,
  paused: z.boolean(),
});
export type ProducerInfo = z.infer<typeof producerInfoSchema>;

export const peerInfoSchema = z.object({
  id,
  displayName: z.string(),
  role: roleSchema,
  producers: z.array(producerInfoSchema),
});
export type PeerInfo = z.infer<typeof peerInfoSchema>;

const empty = z.object({}).strict();

/** What a receiver needs to create its side of a consumer (`consume`, `consumeMany`). */
export const consumerInfoSchema = z.object({
  consumerId: id,
  producerId: id,
  peerId: id,
  kind: mediaKindSchema,
  source: mediaSourceSchema,
  rtpParameters: rtpParametersSchema,
  producerPaused: z.boolean(),
});
export type ConsumerInfo = z.infer<typeof consumerInfoSchema>;

/** SIG-17: 1 to BATCH_LIMITS.maxIdsPerBatch distinct ids. */
function batchOf<T extends z.ZodString>(item: T) {
  return z
    .array(item)
    .min(1)
    .max(BATCH_LIMITS.maxIdsPerBatch)
    .refine((ids) => new Set(ids).size === ids.length, 'ids must be distinct');
}
/** A resume credential: 43 base64url characters (32 random bytes). */
export const resumeTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const requests = {
  /** SIG-1: first request of a socket. Answers the router's RTP capabilities and who is there. */
  join: {
    request: empty,
    response: z.object({
      peerId: id,
      roomId: id,
      displayName: z.string(),
      role: roleSchema,
      routerRtpCapabilities: rtpCapabilitiesSchema,
      peers: z.array(peerInfoSchema),
      /** SIG-13: the credential of a later `resume` (secret: never logged, never shown). */
      resumeToken: resumeTokenSchema,
      /** How long the server keeps this participant after its socket is lost (SIG-13). */
      resumeGraceMs: z.number().int().nonnegative(),
      /** REACH-4: TURN servers with credentials of this join (empty without TURN). */
      iceServers: z.array(z.object({ urls: z.array(z.string().min(1)).min(1), username: z.string(), credential: z.string() })).max(8),
      /**
       * NODE-3: the base URLs of the service's other live nodes (none on one node): where the client
       * turns when the node it talks to stops answering, even when that node also served its page.
       */
      nodes: z.array(nodeUrlSchema).max(CLUSTER_LIMITS.maxNodesInAnswer).optional(),
    }),
  },
  /**
   * SIG-13: the first request of a new socket of a participant the server still keeps (within the
   * grace period after a lost socket). `lastSeq` is the seq of the last notification received;
   * the server then sends every later one again, in order, before this answer. Refused
   * RESUME_FAILED (unknown, expired or replaced participant, wrong credential, notifications
   * no longer kept): the client then joins anew.
   */
  resume: {
    request: z.object({ peerId: id, resumeToken: resumeTokenSchema, lastSeq: z.number().int().min(0) }).strict(),
    response: z.object({
      peerId: id,
      role: roleSchema,
      /** A new credential for the next resume (the old one is spent). */
      resumeToken: resumeTokenSchema,
      /** Notifications sent again (seq > lastSeq). */
      replayed: z.number().int().nonnegative(),
    }),
  },
  /** SIG-14: new ICE parameters of one of the peer's transports (ICE restart after a network change). */
  restartIce: {
    request: z.object({ transportId: id }).strict(),
    response: z.object({ iceParameters: iceParametersSchema }),
  },
  /** SIG-2: the device's RTP capabilities, needed before `consume`. */
  setRtpCapabilities: {
    request: z.object({ rtpCapabilities: rtpCapabilitiesSchema }).strict(),
    response: empty,
  },
  createTransport: {
    request: z.object({ direction: z.enum(['send', 'recv']) }).strict(),
    response: z.object({
      id,
      iceParameters: iceParametersSchema,
      iceCandidates: z.array(iceCandidateSchema),
      dtlsParameters: dtlsParametersSchema,
    }),
  },
  connectTransport: {
    request: z.object({ transportId: id, dtlsParameters: dtlsParametersSchema }).strict(),
    response: empty,
  },
  produce: {
    request: z
      .object({
        transportId: id,
        kind: mediaKindSchema,
        rtpParameters: rtpParametersSchema,
        source: mediaSourceSchema,
        paused: z.boolean().optional(),
      })
      .strict(),
    response: z.object({ producerId: id }),
  },
  closeProducer: { request: z.object({ producerId: id }).strict(), response: empty },
  pauseProducer: { request: z.object({ producerId: id }).strict(), response: empty },
  resumeProducer: { request: z.object({ producerId: id }).strict(), response: empty },
  /** SIG-5: consumers are created paused; the client resumes them once its side is ready. */
  consume: {
    request: z.object({ transportId: id, producerId: id }).strict(),
    response: consumerInfoSchema,
  },
  pauseConsumer: { request: z.object({ consumerId: id }).strict(), response: empty },
  resumeConsumer: { request: z.object({ consumerId: id }).strict(), response: empty },
  /**
   * SIG-17: `consume` for several producers in one request (a join or a rejoin into a full room).
   * Every consumer is created paused (SIG-5), in the order asked; `missing` lists the producers no
   * longer in the room (they closed meanwhile). Any other refusal refuses the whole batch.
   */
  consumeMany: {
    request: z.object({ transportId: id, producerIds: batchOf(id) }).strict(),
    response: z.object({ consumers: z.array(consumerInfoSchema), missing: z.array(id) }),
  },
  /**
   * SIG-17: `resumeConsumer` for several consumers. The peer's consumers among them are resumed;
   * `missing` lists the others (closed meanwhile, unknown, or another peer's: SIG-6, nothing leaks).
   */
  resumeConsumers: {
    request: z.object({ consumerIds: batchOf(id) }).strict(),
    response: z.object({ missing: z.array(id) }),
  },
  /** SIG-8: which simulcast layer a receiver wants (0 = smallest), chosen from its tile size. */
  setConsumerLayers: {
    request: z
      .object({
        consumerId: id,
        spatialLayer: z.number().int().min(0).max(2),
        temporalLayer: z.number().int().min(0).max(2).optional(),
      })
      .strict(),
    response: empty,
  },
  leave: { request: empty, response: empty },
  ...moderationRequests,
  ...reactionRequests,
  ...clientReportRequests,
  ...pollRequests,
} as const;

export type RequestName = keyof typeof requests;
export type RequestData<N extends RequestName> = z.infer<(typeof requests)[N]['request']>;
export type ResponseData<N extends RequestName> = z.infer<(typeof requests)[N]['response']>;

/**
 * SIG-4: what a request costs in the socket's token bucket. One, except a batch (SIG-17): one per
 * started group of BATCH_LIMITS.idsPerRequestCost ids, so that a batch is cheaper than its single
 * requests (one message, one answer) but cannot carry more than that many times their work.
 */
export function requestCost<N extends RequestName>(name: N, data: RequestData<N>): number {
  if (name === 'consumeMany') return Math.ceil((data as RequestData<'consumeMany'>).producerIds.length / BATCH_LIMITS.idsPerRequestCost);
  if (name === 'resumeConsumers') return Math.ceil((data as RequestData<'resumeConsumers'>).consumerIds.length / BATCH_LIMITS.idsPerRequestCost);
  return 1;
}

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}
