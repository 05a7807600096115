import type { ApiRegistry } from '../ApiRegistry.js';
import { registerAgentRooms } from './agentRooms.js';
import { registerAuth } from './auth.js';
import { registerCluster } from './cluster.js';
import { registerCollab } from './collab.js';
import { registerInternal } from './internal.js';
import { registerInvites } from './invites.js';
import { registerMetrics } from './metrics.js';
import { registerModeration } from './moderation.js';
import { registerPolls } from './polls.js';
import { registerRecordings } from './recordings.js';
import { registerRooms } from './rooms.js';
import { registerService } from './service.js';
import { registerWebhooks } from './webhooks.js';

/** Every area's registrations (see ApiRegistry.ts for the pattern): add yours here. */
export const REGISTRATIONS: ReadonlyArray<(api: ApiRegistry) => void> = [
  registerService,
  registerMetrics,
  registerRooms,
  registerAgentRooms,
  registerInvites,
  registerRecordings,
  registerModeration,
  registerPolls,
  registerCollab,
  registerInternal,
  registerWebhooks,
  registerCluster,
  registerAuth,
];
