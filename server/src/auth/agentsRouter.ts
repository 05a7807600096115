import { Router } from 'express';
import { AppError, endAgentSessionsQuerySchema, type EndedAgentSessions, type MeAnswer, type OidcPreset } from '@nomades/shared';
import { adminAuth } from '../http/adminAuth.js';
import type { AgentSessions } from './AgentSessions.js';

export interface AgentsRouterDeps {
  sessions: AgentSessions;
  adminKey: string;
  /** The configured preset; null when sign-in is off. */
  preset: OidcPreset | null;
  /** OWN-6: OWNERS_MAY_RECORD. */
  ownersMayRecord: () => boolean;
}

/** On /api: `GET /me` (AUTH-10) and the operators' `DELETE /agents/sessions?email=` (AUTH-13). */
export function agentsRouter(deps: AgentsRouterDeps): Router {
  const router = Router();

  router.get('/me', async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const agent = await deps.sessions.current(req);
    const answer: MeAnswer = agent
      ? {
          signedIn: true,
          name: agent.name,
          email: agent.email,
          preset: agent.preset,
          expiresAt: new Date(agent.expiresAtMs).toISOString(),
          ownersMayRecord: deps.ownersMayRecord(),
        }
      : { signedIn: false, loginAvailable: deps.preset !== null, preset: deps.preset };
    res.json(answer);
  });

  router.delete('/agents/sessions', adminAuth(deps.adminKey), async (req, res) => {
    const query = endAgentSessionsQuerySchema.safeParse(req.query);
    if (!query.success) throw new AppError('BAD_REQUEST', 'an email is required: ?email=');
    const answer: EndedAgentSessions = { ended: await deps.sessions.endByEmail(query.data.email) };
    res.json(answer);
  });

  return router;
}
