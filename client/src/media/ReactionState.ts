import { REACTION_LIMITS, type ReactionEmoji } from '@nomades/shared';
import type { SignalingClient } from './SignalingClient';
import { TypedEmitter } from './TypedEmitter';

/** A reaction being shown: over the tile of `peerId` (which may be this client's own). */
export interface ActiveReaction {
  /** Unique for this client's life (a React key). */
  id: number;
  peerId: string;
  emoji: ReactionEmoji;
  /** `Date.now()` when it arrived. */
  at: number;
}

export interface ReactionSnapshot {
  /** Reactions of the last REACTION_LIMITS.displayMs, oldest first. */
  active: readonly ActiveReaction[];
}

/** More than this many at once (a room of 50 applauding): the oldest go first. */
const MAX_ACTIVE = 100;

/**
 * Reactions (RCT-n in docs/spec/signaling.md): the server's `reaction` notifications, each kept
 * for REACTION_LIMITS.displayMs, and `send` for our own. A store of its own (getSnapshot,
 * subscribe) so that reactions re-render only what shows them. `reaction` is emitted for each one
 * that arrives (for a live region). No sentences: the UI words them.
 */
export class ReactionState extends TypedEmitter<{ change: []; reaction: [ActiveReaction] }> {
  private snapshot: ReactionSnapshot = { active: [] };
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly signaling: SignalingClient) {
    super();
    signaling.on('reaction', ({ peerId, emoji }) => this.add(peerId, emoji));
    signaling.on('peerLeft', ({ peerId }) => {
      if (this.snapshot.active.some((r) => r.peerId === peerId)) this.set(this.snapshot.active.filter((r) => r.peerId !== peerId));
    });
  }

  readonly getSnapshot = (): ReactionSnapshot => this.snapshot;
  readonly subscribe = (listener: () => void): (() => void) => this.on('change', listener);

  /** Sends a reaction; rejects with a ClientError (RATE_LIMITED past RCT-2's burst, BAD_REQUEST…). Ours comes back as a notification. */
  async send(emoji: ReactionEmoji): Promise<void> {
    await this.signaling.request('react', { emoji });
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.removeAllListeners();
  }

  private add(peerId: string, emoji: ReactionEmoji): void {
    if (this.closed) return;
    const reaction: ActiveReaction = { id: this.nextId++, peerId, emoji, at: Date.now() };
    this.set([...this.snapshot.active, reaction].slice(-MAX_ACTIVE));
    this.emit('reaction', reaction);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.set(this.snapshot.active.filter((r) => r.id !== reaction.id));
    }, REACTION_LIMITS.displayMs);
    this.timers.add(timer);
  }

  private set(active: readonly ActiveReaction[]): void {
    this.snapshot = { active };
    this.emit('change');
  }
}
