import { Redis, ReplyError } from 'ioredis';
import { ClusterError } from './ClusterError.js';

export interface ClusterRedisOptions {
  /** Longest wait between two reconnection attempts (ms). Attempts never stop: a node rejoins whenever Redis returns. */
  maxReconnectDelayMs: number;
  /** A command not answered within this time fails (a half-open connection, a cut network). */
  commandTimeoutMs: number;
}

/**
 * A connection that fails fast instead of queueing: with no offline queue and no per-request
 * retries, a call made while Redis is away rejects at once (then mapped to CLUSTER_UNAVAILABLE),
 * so callers never wait on a queue that grows during an outage. Reconnection backs off
 * exponentially up to maxReconnectDelayMs.
 */
export function createClusterRedis(url: string, options: ClusterRedisOptions): Redis {
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResubscribe: false,
    connectTimeout: Math.max(options.commandTimeoutMs, 1000),
    commandTimeout: options.commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), options.maxReconnectDelayMs),
    reconnectOnError: () => false,
  });
}

/** Replies that mean "Redis is there but cannot serve now" (loading its data, busy script, replica). */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY|NOAUTH)/;

/**
 * Maps a failed Redis call to CLUSTER_UNAVAILABLE, except a reply error that is our own bug
 * (a wrong script or argument): that one is thrown as it is, retrying would not help.
 */
export function toClusterError(error: unknown, what: string): Error {
  if (error instanceof ClusterError) return error;
  if (error instanceof ReplyError && !TRANSIENT_REPLY.test((error as Error).message)) return error as Error;
  const reason = error instanceof Error ? error.message : String(error);
  return new ClusterError('CLUSTER_UNAVAILABLE', `cluster directory unavailable (${what}): ${reason}`, { cause: error });
}
