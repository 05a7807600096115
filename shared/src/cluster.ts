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
