import type { Request } from 'express';
import type { SignedInAgent } from './SignedInAgent.js';

/** What the room routes need of the agents' sessions (AgentSessions): who this request's session is. */
export interface AgentSessionLookup {
  current(req: Request): Promise<SignedInAgent | undefined>;
}

