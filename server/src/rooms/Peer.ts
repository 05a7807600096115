import type { MediaPeer } from '@nomades/sfu';
import type { ErrorCode, NotificationData, NotificationName, PeerInfo, Role, TokenClaims } from '@nomades/shared';

/** Sends a typed notification to one client. */
export type Notify = <N extends NotificationName>(name: N, data: NotificationData<N>) => void;

/** A participant in a room: who they are (from the token), their media, and how to reach them. */
export class Peer {
  readonly id: string;
  readonly identity: string;
  readonly displayName: string;
  /** The token's id (jti), remembered when the peer is removed (MOD-4). */
  readonly tokenId?: string;
  readonly guest: boolean;
  /** The client's address (clientAddress), remembered when a guest is removed (ACCESS-6). */
  readonly address?: string;
  /** The current role: the token's, or what the room's mode or a host made of it (ROLE-5, MOD-6). */
  role: Role;
  readonly media: MediaPeer;
  readonly notify: Notify;
  /** Ends the participant's session (socket) with a reason. */
  readonly kick: (code: ErrorCode, message: string) => void;
  #closed = false;

  constructor(options: {
    id: string;
    claims: TokenClaims;
    /** Overrides the token's role (e.g. guests of a webinar are attendees). */
    role?: Role;
    address?: string;
    media: MediaPeer;
    notify: Notify;
    kick: Peer['kick'];
  }) {
    this.id = options.id;
    this.identity = options.claims.sub;
    this.displayName = options.claims.name;
    this.role = options.role ?? options.claims.role;
    this.tokenId = options.claims.jti;
    this.guest = options.claims.guest === true;
    this.address = options.address;
    this.media = options.media;
    this.notify = options.notify;
    this.kick = options.kick;
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
