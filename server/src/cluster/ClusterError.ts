/**
 * - `CLUSTER_UNAVAILABLE`: Redis cannot be reached (down, restarting, cut off, too slow). Retryable:
 *   the directory reconnects by itself and rebuilds its state; the caller tries again later.
 * - `NO_ELIGIBLE_NODE`: no live node accepts new rooms (none alive, or all draining). Retryable:
 *   a node may start or stop draining.
 * - `CLOSED`: the directory was closed. Not retryable.
 */
export type ClusterErrorCode = 'CLUSTER_UNAVAILABLE' | 'NO_ELIGIBLE_NODE' | 'CLOSED';

/** An error of the node directory that callers branch on by `code` (never by message). */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';

  constructor(
    readonly code: ClusterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True when the same call may succeed later without any change on the caller's side. */
  get retryable(): boolean {
    return this.code !== 'CLOSED';
  }
}
