import crypto from 'node:crypto';
import type { MediaParticipant } from '@nomades/sfu';
import { RESUME_LIMITS, type ErrorCode, type NotificationData, type NotificationName, type PeerInfo, type Role, type TokenClaims } from '@nomades/shared';
import { NotificationOutbox, type PeerLink } from './NotificationOutbox.js';

/** Sends a typed notification to one client. */
export type Notify = <N extends NotificationName>(name: N, data: NotificationData<N>) => void;

/**
 * A participant in a room: who they are (from the token), their media, and how to reach them. It
 * outlives its socket (SIG-13): a lost socket detaches its link, the Room keeps the participant
 * for the grace period, and a new socket that presents the resume credential attaches again.
 */
export class Peer {
  readonly id: string;
  readonly identity: string;
  readonly displayName: string;
  /** The token's id (jti), remembered when the peer is removed (MOD-4). */
  readonly tokenId?: string;
  readonly guest: boolean;
  /** The token's `sid` claim (AUTH-9): the peer leaves when that session ends. */
  readonly sessionId?: string;
  /** The client's address (clientAddress), remembered when a guest is removed (ACCESS-6). */
  readonly address?: string;
  /** The current role: the token's, or what the room's mode or a host made of it (ROLE-5, MOD-6). */
  role: Role;
  /** SPAN-2: a MediaPeer here, or a RemoteMediaPeer whose media is on the room's annex. */
  readonly media: MediaParticipant;
  readonly #outbox = new NotificationOutbox(RESUME_LIMITS.replayBuffer);
  /** Called by kick() when no link is attached: the owner (Room) removes the participant. */
  readonly #onOrphanKick: (code: ErrorCode, message: string) => void;
  #resumeToken = newResumeToken();
  #closed = false;

  constructor(options: {
    id: string;
    claims: TokenClaims;
    /** Overrides the token's role (e.g. guests of a webinar are attendees). */
    role?: Role;
    address?: string;
    media: MediaParticipant;
    link: PeerLink;
    onOrphanKick: (code: ErrorCode, message: string) => void;
  }) {
    this.id = options.id;
    this.identity = options.claims.sub;
    this.displayName = options.claims.name;
    this.role = options.role ?? options.claims.role;
    this.tokenId = options.claims.jti;
    this.guest = options.claims.guest === true;
    this.sessionId = options.claims.sid;
    this.address = options.address;
    this.media = options.media;
    this.#outbox.attach(options.link);
    this.#onOrphanKick = options.onOrphanKick;
  }

  /** Sends a notification (numbered and kept for a resume, SIG-13). Nothing after close. */
  readonly notify: Notify = (name, data) => {
    if (!this.#closed) this.#outbox.send(name, data);
  };

  /** Ends the participant's session with a reason; without a socket, the room removes it. */
  kick(code: ErrorCode, message: string): void {
    const link = this.#outbox.link;
    if (link) link.end(code, message);
    else this.#onOrphanKick(code, message);
  }

  /** True while a socket is attached. */
  get connected(): boolean {
    return this.#outbox.link !== null;
  }

  /** The socket attached now (its session), if any. */
  get link(): PeerLink | null {
    return this.#outbox.link;
  }

  /** The seq of the last numbered notification sent. */
  get lastSeq(): number {
    return this.#outbox.seq;
  }

  /** The credential a new socket must present to resume this participant (rotated on use). */
  get resumeToken(): string {
    return this.#resumeToken;
  }

  /** Detaches `link` (the socket was lost); notifications are kept for a resume. */
  detach(link: PeerLink): void {
    this.#outbox.detach(link);
  }

  /**
   * Attaches a new socket if `token` is the current credential, and returns the notifications it
   * missed after `lastSeq` and a new credential; null when the credential is wrong or those
   * notifications are no longer kept. The previous link, if still attached, is replaced.
   */
  resume(token: string, lastSeq: number, link: PeerLink): { missed: Array<{ seq: number; name: NotificationName; data: unknown }>; resumeToken: string } | null {
    if (this.#closed || !sameSecret(token, this.#resumeToken)) return null;
    const missed = this.#outbox.since(lastSeq);
    if (!missed) return null;
    this.#outbox.attach(link);
    this.#resumeToken = newResumeToken();
    return { missed, resumeToken: this.#resumeToken };
  }

  get closed(): boolean {
    return this.#closed;
  }

  info(): PeerInfo {
    return {
      id: this.id,
      displayName: this.displayName,
      role: this.role,
      producers: [...this.media.producers.values()].map((p) => ({
        id: p.id,
        kind: p.kind,
        source: p.appData.source,
        paused: p.paused,
      })),
    };
  }

  /** Closes the peer's media (transports, producers, consumers). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.media.close();
  }
}

function newResumeToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
