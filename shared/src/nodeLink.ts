import { z } from 'zod';
import { errorPayloadSchema } from './errors.js';
import { roomIdSchema } from './token.js';

/**
 * The authenticated link between two nodes of one service (SPAN-2/4 in docs/spec/span.md): one
 * socket.io connection per pair of nodes, on each node's own HTTP port at `NODE_LINK_PATH`,
 * never through the front (docs/operations/several-nodes.md). Every message is one JSON string
 * (`NODE_LINK_EVENT`) holding one envelope below, validated on receipt.
 */
export const NODE_LINK_PATH = '/node-link';
/** The one socket.io event name of the link; its argument is the envelope as a JSON string. */
export const NODE_LINK_EVENT = 'm';

export const NODE_LINK_LIMITS = {
  /** One envelope, as sent (engine.io's maxHttpBufferSize / ws maxPayload on both ends). */
  maxMessageBytes: 1024 * 1024,
  /** A request not answered within this time rejects with UNAVAILABLE. */
  requestTimeoutMs: 5_000,
  /** Requests sent and not yet answered (or waiting for the link), per link; beyond, UNAVAILABLE at once. */
  maxPendingRequests: 1_000,
  /** Requests of the other node being handled at once, per link; beyond, answered UNAVAILABLE. */
  maxConcurrentHandlers: 1_000,
  /** Lifetime of the token a node presents to connect (the accepting node refuses longer ones). */
  tokenTtlSeconds: 30,
  maxTokenTtlSeconds: 60,
  /** Clock difference tolerated between two nodes when a token's times are checked. */
  clockToleranceSeconds: 5,
  maxTokenLength: 2048,
  /** Method and event names. */
  maxNameLength: 64,
  /** Reconnection backoff of the dialing node. */
  reconnectMinMs: 200,
  reconnectMaxMs: 5_000,
  /** engine.io heartbeat of the link: a cut network is seen within about interval + timeout. */
  pingIntervalMs: 2_000,
  pingTimeoutMs: 3_000,
} as const;

/** The protected header `typ` of a node link token: no other token of the product carries it. */
export const NODE_LINK_TOKEN_TYP = 'nomades-node-link+jwt';
/** HKDF `info` deriving the node link key from TOKEN_SECRET (the room-token key cannot sign a link, nor a link key a room token). */
export const NODE_LINK_KEY_INFO = 'nomades node link';

/** `link.*` names are the link's own (link.ping); `room` is then null. */
export const linkNameSchema = z
  .string()
  .min(1)
  .max(NODE_LINK_LIMITS.maxNameLength)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'a method or event name: letters, digits, ".", ":", "-", "_"');

/** The room a message is about; null for the link's own methods. */
const linkRoomSchema = roomIdSchema.nullable();
const requestIdSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const nodeLinkEnvelopeSchema = z.discriminatedUnion('t', [
  /** The accepting node proves who it is to the dialing one (its own token, aud = the dialer). */
  z.object({ t: z.literal('hello'), token: z.string().min(1).max(NODE_LINK_LIMITS.maxTokenLength) }).strict(),
  z.object({ t: z.literal('req'), id: requestIdSchema, room: linkRoomSchema, method: linkNameSchema, data: z.unknown() }).strict(),
  z.object({ t: z.literal('res'), id: requestIdSchema, data: z.unknown() }).strict(),
  z.object({ t: z.literal('err'), id: requestIdSchema, error: errorPayloadSchema }).strict(),
  z.object({ t: z.literal('evt'), room: linkRoomSchema, event: linkNameSchema, data: z.unknown() }).strict(),
  /** This room's channel ends on the sender's side (the span ended): the receiver's closes too. */
  z.object({ t: z.literal('close'), room: roomIdSchema }).strict(),
]);
export type NodeLinkEnvelope = z.infer<typeof nodeLinkEnvelopeSchema>;

/** The answer of the link's own `link.ping`. */
export const linkPingAnswerSchema = z.object({ node: z.string(), time: z.number() });
export type LinkPingAnswer = z.infer<typeof linkPingAnswerSchema>;
