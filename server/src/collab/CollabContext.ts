import type http from 'node:http';
import type { TokenClaims } from '@nomades/shared';
import type { TokenBucket } from '../signaling/TokenBucket.js';
import type { AwarenessSender } from './AwarenessGuard.js';
import type { SocketGuard } from './SocketGuard.js';

/** Hocuspocus context of one socket × document: the socket's guard, then what authentication found. */
export interface CollabContext {
  guard: SocketGuard;
  /** The WebSocket upgrade request (Hocuspocus 4's hooks get a web Request; the access rule reads the Node one). */
  httpRequest: http.IncomingMessage;
  claims?: TokenClaims;
  roomId?: string;
  sender?: AwarenessSender;
  chatBucket?: TokenBucket;
  /** Sync step 1 requests of this connection (COLLAB_LIMITS.syncRequestsPerSecond, burst syncRequestBurst). */
  syncBucket?: TokenBucket;
}
