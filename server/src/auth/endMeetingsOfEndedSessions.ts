import type { Config } from '../config/Config.js';
import type { Lifecycle } from '../lifecycle/Lifecycle.js';
import type { AgentSessionSource } from './AgentSessionLookup.js';

/**
 * AUTH-11/12: when sessions end (logout, back-channel logout, an operator) and LOGOUT_ENDS_MEETINGS
 * is on, the meetings opened with them end: `end` receives their `sid` claims. Rooms and signaling
 * only learn "close what these sids opened".
 * On several nodes, only this node's meetings end: no channel between nodes carries it yet.
 */
export function endMeetingsOfEndedSessions(life: Lifecycle, sessions: AgentSessionSource, config: Config, end: (sids: readonly string[]) => void): void {
  const logoutEndsMeetings = (config as { auth?: { logoutEndsMeetings?: boolean } }).auth?.logoutEndsMeetings ?? true;
  if (!logoutEndsMeetings) return;
  const onEnded = (sids: readonly string[]) => end(sids);
  sessions.on('ended', onEnded);
  life.onStop('ended sessions', () => sessions.off('ended', onEnded));
}
