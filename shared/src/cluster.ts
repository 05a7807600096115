import { z } from 'zod';
import { COLLAB_PATH } from './collab/collabDocument.js';

/** Several nodes, one service (docs/operations/several-nodes.md). */
export const CLUSTER_LIMITS = {
  /** Other live nodes named in a join answer (NODE-3). */
  maxNodesInAnswer: 16,
  /** Redirections (WRONG_NODE) a client follows in a row before it waits and tries again (NODE-2). */
  maxHops: 3,
  /** Length of a node's address. */
  maxNodeUrlLength: 200,
  /**
   * NODE-5: a node that did not answer a client is "suspect" for this long: a WRONG_NODE naming
   * it means the directory has not yet seen it dead (NODE_TTL_MS), and the client asks the node
   * it is on again, every `staleHomeRetryMs`, instead of going back to the dead one.
   */
  suspectMs: 10_000,
  staleHomeRetryMs: 400,
  maxStaleHomeRetries: 15,
  /**
   * NODE-5b: a client that reports the room's home unreachable makes the node it asks probe that
   * home (`GET /healthz`, this long at most); a refused connection (the process is gone) buries it
   * at once instead of waiting for its heartbeat to expire. One probe per node at a time, its
   * answer reused this long.
   */
  probeTimeoutMs: 600,
  probeReuseMs: 1_000,
} as const;

/**
 * A node's base URL as clients reach it: http(s), a host, an optional port and path prefix (a
 * front may route `https://visio.example/n/b/` to node b), no query, no fragment, no credentials.
 */
export const nodeUrlSchema = z
  .string()
  .max(CLUSTER_LIMITS.maxNodeUrlLength)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash && !url.username && !url.password;
    } catch {
      return false;
    }
  }, 'an http(s) base URL without query, fragment or credentials');

/** Where a node's socket.io and /collab live, from its base URL (a path prefix is kept). */
export function nodeEndpoints(base: string): { origin: string; socketPath: string; collabUrl: string } {
  const url = new URL(base);
  const prefix = url.pathname.replace(/\/+$/, '');
  return {
    origin: url.origin,
    socketPath: `${prefix}/socket.io`,
    collabUrl: `${url.origin.replace(/^http/, 'ws')}${prefix}${COLLAB_PATH}`,
  };
}

/** One live node of the service, as `GET /api/nodes` lists it (NODE-6). */
export const clusterNodeSchema = z.object({
  id: z.string(),
  url: z.string(),
  /** ms since the epoch, on the node's clock. */
  startedAt: z.number(),
  load: z.object({
    rooms: z.number().int(),
    sessions: z.number().int(),
    /** SPAN-5: the media participants it hosts (its rooms' and its annex shards'). */
    participants: z.number().int().optional(),
  }),
  draining: z.boolean(),
  /** SPAN-5: its software version ('' for a node older than the field). */
  version: z.string().optional(),
  /** SPAN-2: where the other nodes open the node link to it (its own address). */
  linkUrl: z.string().optional(),
  /** SPAN-5: NODE_MAX_PARTICIPANTS; absent: no limit. */
  maxParticipants: z.number().int().optional(),
  /** The rooms it hosts (their meetings and boards run there). */
  rooms: z.array(z.string()),
  /** SPAN-6: the rooms whose media it hosts as their annex (their home is another node). */
  annexRooms: z.array(z.string()).optional(),
});
export const clusterNodesSchema = z.object({
  /** This node's id (the one that answered). */
  self: z.string(),
  nodes: z.array(clusterNodeSchema),
});
export type ClusterNodes = z.infer<typeof clusterNodesSchema>;

/** `GET /api/nodes/:id/ping`: a round trip over the node link from the node asked to node `:id` (SPAN-2). */
export const nodeLinkPingSchema = z.object({
  /** The node that asked. */
  from: z.string(),
  /** The node that answered over the link (its id, as it says). */
  node: z.string(),
  /** The answering node's clock (ms since the epoch). */
  time: z.number(),
  /** The round trip, in ms. */
  ms: z.number(),
});
export type NodeLinkPing = z.infer<typeof nodeLinkPingSchema>;
