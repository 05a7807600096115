import { EPHEMERAL_NOTIFICATIONS, type ErrorCode, type NotificationData, type NotificationName } from '@nomades/shared';

/** Where a participant's notifications go while it has a socket: its signaling session. */
export interface PeerLink {
  /** Sends one notification; `seq` is undefined for ephemeral ones (SIG-13). */
  send(name: NotificationName, data: unknown, seq: number | undefined): void;
  /** Ends the session with a reason (the participant is removed by its owner). */
  end(code: ErrorCode, message: string): void;
}

interface Sent {
  seq: number;
  name: NotificationName;
  data: unknown;
}

/**
 * A participant's notifications, numbered (SIG-13): every non-ephemeral one gets the next seq and
 * is kept in a ring of the last `capacity`, so that a client whose socket was lost, detected or
 * not yet, gets what it missed when it resumes with the last seq it saw. Sent to the attached
 * link if there is one; kept only while there is none.
 */
export class NotificationOutbox {
  readonly #ring: Sent[] = [];
  readonly #capacity: number;
  #seq = 0;
  #link: PeerLink | null = null;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get link(): PeerLink | null {
    return this.#link;
  }

  /** The seq of the last numbered notification. */
  get seq(): number {
    return this.#seq;
  }

  attach(link: PeerLink): void {
    this.#link = link;
  }

  /** Detaches `link` if it is the attached one (a late detach of a replaced link is a no-op). */
  detach(link?: PeerLink): void {
    if (!link || this.#link === link) this.#link = null;
  }

  send<N extends NotificationName>(name: N, data: NotificationData<N>): void {
    if (EPHEMERAL_NOTIFICATIONS.has(name)) return void this.#link?.send(name, data, undefined);
    const entry: Sent = { seq: ++this.#seq, name, data };
    this.#ring.push(entry);
    if (this.#ring.length > this.#capacity) this.#ring.shift();
    this.#link?.send(name, data, entry.seq);
  }

  /**
   * The notifications after `lastSeq`, in order, or null when some of them are no longer kept
   * (or `lastSeq` is ahead of what was sent: not this participant's history).
   */
  since(lastSeq: number): Sent[] | null {
    if (lastSeq > this.#seq) return null;
    if (lastSeq === this.#seq) return [];
    const first = this.#ring[0];
    if (!first || first.seq > lastSeq + 1) return null;
    return this.#ring.slice(lastSeq + 1 - first.seq);
  }
}
