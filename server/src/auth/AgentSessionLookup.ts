import type { EventEmitter } from 'node:events';
import type { Request } from 'express';
import type { AgentSessionsEvents, SignedInAgent } from './SignedInAgent.js';

/** What the room routes need of the agents' sessions (AgentSessions): who this request's session is. */
export interface AgentSessionLookup {
  current(req: Request): Promise<SignedInAgent | undefined>;
}

/** The sessions as NomadesServer wires them: the lookup, and `ended` to end their meetings (AUTH-11/12). */
export type AgentSessionSource = AgentSessionLookup & Pick<EventEmitter<AgentSessionsEvents>, 'on' | 'off'>;
