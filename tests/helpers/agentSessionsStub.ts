import { EventEmitter } from 'node:events';
import type { Request } from 'express';
import type { AgentSessionSource } from '../../server/src/auth/AgentSessionLookup.js';
import type { AgentSessionsEvents, SignedInAgent } from '../../server/src/auth/SignedInAgent.js';

/**
 * Agents' sessions for the room routes' tests until the real sign-in is on main: a cookie
 * `nomades_session=<id>` names one of the agents added here. Only the lookup is stubbed; the
 * server, its store, tokens and signaling are real.
 */
export class AgentSessionsStub extends EventEmitter<AgentSessionsEvents> implements AgentSessionSource {
  readonly #agents = new Map<string, SignedInAgent>();
  #n = 0;

  /** Signs an agent in; returns the Cookie header to send. */
  add(agent: Partial<SignedInAgent> & { name: string }): { cookie: string; agent: SignedInAgent } {
    const id = `s${++this.#n}-${Math.random().toString(36).slice(2)}`;
    const full: SignedInAgent = {
      key: `u:${id.padEnd(22, 'x').slice(0, 22)}`,
      email: null,
      groups: [],
      preset: 'generic',
      sessionHash: `h-${id}`,
      expiresAtMs: Date.now() + 12 * 3600_000,
      ...agent,
    };
    this.#agents.set(id, full);
    return { cookie: `nomades_session=${id}`, agent: full };
  }

  /** Ends sessions as a logout would (AUTH-11). */
  end(...agents: SignedInAgent[]): void {
    for (const [id, a] of this.#agents) if (agents.includes(a)) this.#agents.delete(id);
    this.emit('ended', agents.map((a) => a.sessionHash));
  }

  async current(req: Request): Promise<SignedInAgent | undefined> {
    const match = /(?:^|;\s*)nomades_session=([^;]+)/.exec(req.headers.cookie ?? '');
    return match ? this.#agents.get(match[1]) : undefined;
  }
}
