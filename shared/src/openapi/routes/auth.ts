import { z } from 'zod';
import { endAgentSessionsQuerySchema, endedAgentSessionsSchema, meAnswerSchema } from '../../auth.js';
import type { ApiRegistry } from '../ApiRegistry.js';

const toErrorPage = 'to the provider, or (a failure) to `/connexion/erreur?code=<authErrorCode>` (AUTH-14)';

/** Sign-in (server/src/auth/authRouter.ts on /auth, agentsRouter.ts on /api; AUTH-n in docs/spec/auth.md). */
export function registerAuth(api: ApiRegistry): void {
  api.route({
    method: 'get', path: '/auth/login', auth: 'none', tag: 'sign-in',
    summary: 'Begin a sign-in at the OpenID provider (AUTH-1…3); `returnTo`: a same-origin path to come back to',
    query: z.object({ returnTo: z.string().max(2048).optional() }),
    responses: { 303: { description: `${toErrorPage}; \`not_configured\` without OIDC_ISSUER` } },
    errors: ['RATE_LIMITED'],
  });
  api.route({
    method: 'get', path: '/auth/callback', auth: 'none', tag: 'sign-in',
    summary: 'The provider\'s answer (its redirect URI, PUBLIC_URL/auth/callback): checked, then a new session cookie (AUTH-1, AUTH-5…8)',
    query: z.object({ code: z.string().optional(), state: z.string().optional(), iss: z.string().optional(), error: z.string().optional() }),
    responses: { 303: { description: 'to the `returnTo` of the login, or to `/connexion/erreur?code=<authErrorCode>` (AUTH-14)' } },
    errors: ['RATE_LIMITED'],
  });
  api.route({
    method: 'post', path: '/auth/logout', auth: 'none', tag: 'sign-in',
    summary: 'Sign out (session cookie; same-origin `Origin`/`Sec-Fetch-Site` only): the session ends, then the provider\'s end-session endpoint with `id_token_hint` and `state` (AUTH-11)',
    responses: { 303: { description: 'to the provider\'s end-session endpoint, or home' } },
    errors: ['FORBIDDEN'],
  });
  api.route({
    method: 'post', path: '/auth/backchannel-logout', auth: 'none', tag: 'sign-in',
    summary: 'OpenID Connect Back-Channel Logout (AUTH-12): a `logout_token` signed by the provider ends the matching sessions',
    rawBody: { contentTypes: ['application/x-www-form-urlencoded'], description: '`logout_token=<JWT>`' },
    responses: { 200: { description: 'the matching sessions ended (Cache-Control: no-store)' } },
  });
  api.route({
    method: 'get', path: '/api/me', auth: 'none', tag: 'sign-in',
    summary: 'Whether this browser is signed in (session cookie), with the name and email, and whether sign-in is available (AUTH-10); never a token',
    responses: { 200: { description: 'who this browser is', schema: api.schema('MeAnswer', meAnswerSchema) } },
  });
  api.route({
    method: 'delete', path: '/api/agents/sessions', auth: 'admin', tag: 'sign-in',
    summary: 'End every session of an agent, by email (AUTH-13); their meetings end (SESSION_ENDED)',
    query: endAgentSessionsQuerySchema,
    responses: { 200: { description: 'how many sessions ended', schema: endedAgentSessionsSchema } },
  });
}
