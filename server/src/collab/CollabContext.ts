import type { TokenClaims } from '@nomades/shared';
import type { TokenBucket } from '../signaling/TokenBucket.js';
import type { AwarenessSender } from './AwarenessGuard.js';
import type { SocketGuard } from './SocketGuard.js';

/** Hocuspocus context of one socket × document: the socket's guard, then what authentication found. */
export interface CollabContext {
  guard: SocketGuard;
  claims?: TokenClaims;
  roomId?: string;
  sender?: AwarenessSender;
  chatBucket?: TokenBucket;
  /** Sync step 1 requests of this connection (COLLAB_LIMITS.syncRequestsPerSecond, burst syncRequestBurst). */
  syncBucket?: TokenBucket;
}
