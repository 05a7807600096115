import { z } from 'zod';
import { LIMITS } from './limits.js';
import { rtpParametersSchema } from './signaling/mediaSchemas.js';
import { mediaKindSchema, mediaSourceSchema } from './signaling/requests.js';

/**
 * Media between two nodes of one room (docs/spec/span.md, SPAN-3/4): the messages the two
 * `NodePipes` of a (room, node pair) exchange on their `NodeChannel`. Every incoming message,
 * request, answer or event, is validated against these schemas: the other node is a peer, not a
 * trusted part of this process (a bug or an old version there must not crash this one).
 */
export const NODE_PIPE_LIMITS = {
  /** Producers one NodePipes carries at once in each direction (mediasoup ids are 36 chars). */
  maxPipes: 500,
  /** Released imports remembered per NodePipes, to tell the source which pipe a new request replaces. */
  maxReleasedRemembered: 500,
} as const;

/** Spatial layers a piped simulcast video may have (one stream per layer on the `layers` lane). */
export const MAX_PIPE_LAYERS = 4;

const id = z.string().min(1).max(LIMITS.maxIdLength);

export const srtpParametersSchema = z
  .object({
    cryptoSuite: z.enum(['AEAD_AES_256_GCM', 'AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32']),
    keyBase64: z.string().min(1).max(128),
  })
  .strict();

/**
 * Which transport pair of a (room, node pair): `pipe` (PipeTransports: audio, single-stream video,
 * every layer at once) or `layers` (PlainTransports: a simulcast video as one stream per layer,
 * each sent only while the other side wants it; SPAN-3b).
 */
export const pipeLaneSchema = z.enum(['pipe', 'layers']);
export type PipeLane = z.infer<typeof pipeLaneSchema>;

/** One end of a transport pair: where it listens, and its SRTP key (absent when the link is trusted). */
export const pipeEndpointSchema = z
  .object({
    lane: pipeLaneSchema,
    transportId: id,
    ip: z.string().ip(),
    port: z.number().int().min(1).max(65535),
    srtpParameters: srtpParametersSchema.optional(),
  })
  .strict();
export type PipeEndpoint = z.infer<typeof pipeEndpointSchema>;

/** One pipe: the producer piped, and the source's pipe consumer that carries it (one per export). */
export const pipeRefSchema = z.object({ producerId: id, consumerId: id }).strict();
export type PipeRef = z.infer<typeof pipeRefSchema>;

const empty = z.object({}).strict();

/** Requests (answered), by name: each side serves all of them. */
export const pipeRequests = {
  /** Here is my end of the pair: connect yours to it and answer with yours (SPAN-3). */
  'pipe.connect': { request: pipeEndpointSchema, response: pipeEndpointSchema },
  /** The source asks the destination to produce what its pipe consumer sends (same id, same appData). */
  'pipe.produce': {
    request: z
      .object({
        producerId: id,
        consumerId: id,
        kind: mediaKindSchema,
        rtpParameters: rtpParametersSchema,
        paused: z.boolean(),
        /** SPAN-3b: produced on the `layers` pair, one encoding per layer stream (else on the `pipe` pair). */
        lane: pipeLaneSchema,
        appData: z.object({ peerId: id, source: mediaSourceSchema }).strict(),
      })
      .strict(),
    response: empty,
  },
  /**
   * The destination asks the source to pipe one of its producers over (answered once produced).
   * `released`: the consumer id of this producer's previous pipe, released here meanwhile (its
   * `pipe.released` event may not have arrived yet: the source must not reuse it).
   */
  'pipe.in': { request: z.object({ producerId: id, released: id.optional() }).strict(), response: empty },
} as const;

/** Events (fire-and-forget, in order), by name. */
export const pipeEvents = {
  /** Source → destination: the producer was paused / resumed / closed (SPAN-4). */
  'pipe.paused': pipeRefSchema,
  'pipe.resumed': pipeRefSchema,
  'pipe.closed': pipeRefSchema,
  /** Destination → source: nobody consumes the pipe here any more (or it closed): close the pipe consumer. */
  'pipe.released': pipeRefSchema,
  /**
   * Destination → source (SPAN-3): what this node wants of a piped video now. `spatialLayer` -1:
   * nothing (every consumer of it here is paused, tiles off screen): nothing crosses. k ≥ 0: the
   * layers up to k (a pipe on the `pipe` lane carries them all; on the `layers` lane, the streams
   * of the layers above k stop crossing). A stream that starts again starts with a key frame.
   */
  'pipe.demand': pipeRefSchema.extend({ spatialLayer: z.number().int().min(-1).max(MAX_PIPE_LAYERS - 1) }).strict(),
  /** Either side: this pair is closing; close yours (its transport, pipes and producers). */
  'pipe.end': empty,
} as const;

export type PipeRequestName = keyof typeof pipeRequests;
export type PipeRequestData<N extends PipeRequestName> = z.infer<(typeof pipeRequests)[N]['request']>;
export type PipeResponseData<N extends PipeRequestName> = z.infer<(typeof pipeRequests)[N]['response']>;
export type PipeEventName = keyof typeof pipeEvents;
export type PipeEventData<N extends PipeEventName> = z.infer<(typeof pipeEvents)[N]>;
