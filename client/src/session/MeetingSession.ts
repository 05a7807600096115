import { CLUSTER_LIMITS, isFinalCode, RESUME_LIMITS, type ErrorPayload } from '@nomades/shared';
import { ClientError } from '../media/ClientError';
import type { SignalingClient } from '../media/SignalingClient';
import { TypedEmitter } from '../media/TypedEmitter';
import { Backoff } from './Backoff';
import type { JoinAnswer } from './MediaConnection';
import { NodeRoute } from './NodeRoute';

/**
 * connecting → (lobby →) joined ⇄ reconnecting → closed. `lobby` may come back during a
 * reconnection (a full rejoin into a room whose lobby is on).
 */
export type SessionPhase = 'idle' | 'connecting' | 'lobby' | 'joined' | 'reconnecting' | 'closed';

export interface SessionHooks {
  /** A join was answered (the first one, or a full rejoin): set up that participation's media. */
  setUp(answer: JoinAnswer, rejoin: boolean): Promise<void>;
  /** The same participation was resumed on a new socket (its media is kept). */
  resumed(): void;
}

export interface SessionEvents extends Record<string, unknown[]> {
  change: [];
  /** The session ended for good: null when the user left, else why (a final code). */
  ended: [reason: ErrorPayload | null];
}

/** Timings of the recovery (RESUME_LIMITS by default; shorter in tests). */
export interface SessionTimings {
  reconnectMinMs: number;
  reconnectMaxMs: number;
  giveUpAfterMs: number;
  /** A reconnection attempt's socket: a lost network should not hold one attempt for long. */
  attemptConnectTimeoutMs: number;
}

const DEFAULT_TIMINGS: SessionTimings = {
  reconnectMinMs: RESUME_LIMITS.reconnectMinMs,
  reconnectMaxMs: RESUME_LIMITS.reconnectMaxMs,
  giveUpAfterMs: RESUME_LIMITS.giveUpAfterMs,
  attemptConnectTimeoutMs: 5_000,
};

/**
 * The life of one person's meeting, drawn as a state machine (SIG-13…16). Only a final code
 * (FINAL_CODES: removed, refused, expired…) ends it once joined; a lost socket, or a `closing`
 * with any other code, is recovered without a click: the socket reconnects with backoff and
 * jitter, `resume` takes the participation back (same peer, same media, missed notifications
 * replayed), and when the server no longer keeps it (RESUME_FAILED, or it ended it) a full
 * rejoin. After RESUME_LIMITS.giveUpAfterMs of trying it stops (`stalled`) until retry().
 */
export class MeetingSession extends TypedEmitter<SessionEvents> {
  private current: SessionPhase = 'idle';
  private stalledNow = false;
  private reason: ErrorPayload | null = null;
  private joinedOnce = false;
  private credential: { peerId: string; resumeToken: string } | null = null;
  private recovery: Promise<void> | null = null;
  /** Waits (backoff, lobby) that a lost socket or close() must cut short. */
  private readonly interrupts = new Set<(error: ClientError) => void>();
  private admitted: (() => void) | null = null;
  /** Which node to talk to (NODE-2/3): the page's, the room's, or the next live one. */
  private readonly route: NodeRoute;

  constructor(
    private readonly signaling: SignalingClient,
    private readonly hooks: SessionHooks,
    private readonly timings: SessionTimings = DEFAULT_TIMINGS,
  ) {
    super();
    this.route = new NodeRoute(signaling.node);
    signaling.on('closing', ({ error }) => this.onClosing(error));
    signaling.on('lobbyAdmitted', () => this.admitted?.());
    signaling.onDisconnect((reason) => this.onLost(reason));
  }

  get phase(): SessionPhase {
    return this.current;
  }

  /** Recovery gave up: the UI offers retry(). */
  get stalled(): boolean {
    return this.stalledNow;
  }

  get closeReason(): ErrorPayload | null {
    return this.reason;
  }

  get closed(): boolean {
    return this.current === 'closed';
  }

  /** The first join. Rejects with a ClientError (its code says why) if it fails: nothing is retried. */
  async start(): Promise<void> {
    if (this.current !== 'idle') throw new ClientError('ALREADY_JOINED', 'start() was already called');
    this.setPhase('connecting');
    try {
      await this.connect();
      await this.join(false);
      this.joinedOnce = true;
      this.setPhase('joined');
    } catch (error) {
      if (this.closed && !this.reason) return; // closed by the user while joining
      const failure = this.reason ? ClientError.fromPayload(this.reason) : ClientError.from(error, 'UNAVAILABLE');
      this.close(failure.toPayload());
      throw failure;
    }
  }

  /** After a stalled recovery: try again, from a short delay. */
  retry(): void {
    if (this.current !== 'reconnecting' || !this.stalledNow) return;
    this.recover('retry');
  }

  close(reason: ErrorPayload | null = null): void {
    if (this.closed) return;
    this.current = 'closed';
    this.reason = reason;
    this.stalledNow = false;
    this.interrupt(new ClientError('UNAVAILABLE', 'the session was closed'));
    this.admitted?.();
    this.signaling.close();
    this.emit('change');
    if (this.joinedOnce) this.emit('ended', reason);
    this.removeAllListeners();
  }

  /** join, waiting in the lobby when the server says IN_LOBBY until a host admits us (LOBBY-1). */
  private async join(rejoin: boolean): Promise<void> {
    let answer: JoinAnswer;
    try {
      this.signaling.resetSeq();
      answer = await this.signaling.request('join', {});
    } catch (error) {
      if (!(error instanceof ClientError) || error.code !== 'IN_LOBBY') throw error;
      this.setPhase('lobby');
      await this.interruptible(new Promise<void>((resolve) => (this.admitted = resolve)));
      this.admitted = null;
      this.assertOpen();
      this.setPhase(rejoin ? 'reconnecting' : 'connecting');
      this.signaling.resetSeq();
      answer = await this.signaling.request('join', {});
    }
    this.assertOpen();
    this.route.learn(answer.nodes ?? []);
    this.credential = { peerId: answer.peerId, resumeToken: answer.resumeToken };
    this.signaling.release();
    await this.hooks.setUp(answer, rejoin);
    this.assertOpen();
  }

  private onClosing(error: ErrorPayload): void {
    if (this.closed) return;
    if (!this.joinedOnce || isFinalCode(error.code)) return this.close(error);
    // Server restarting, media worker lost…: this participation is over, a new one is not.
    this.credential = null;
    // NODE-7: the node is stopping and names where the room went: go straight there.
    if (error.code === 'WRONG_NODE' && this.route.follow(error.params?.node)) this.signaling.retarget(this.route.current);
    this.recover(`closing ${error.code}`);
  }

  private onLost(reason: string): void {
    if (this.closed) return;
    this.interrupt(new ClientError('UNAVAILABLE', `connection lost (${reason})`));
    if (!this.joinedOnce) return this.close({ code: 'UNAVAILABLE', message: `Disconnected from the server (${reason}).` });
    // NODE-5: a node that went silent may be cut off: start from another node (NodeRoute.avoid).
    if (reason === 'ping timeout' && this.route.avoid()) this.signaling.retarget(this.route.current);
    this.recover(reason);
  }

  private recover(cause: string): void {
    if (this.closed || this.recovery) return;
    this.signaling.hold();
    this.stalledNow = false;
    this.setPhase('reconnecting');
    console.info(`meeting session: reconnecting (${cause})`);
    this.recovery = this.recoverLoop().finally(() => (this.recovery = null));
  }

  private async recoverLoop(): Promise<void> {
    const started = Date.now();
    const backoff = new Backoff(this.timings.reconnectMinMs, this.timings.reconnectMaxMs);
    for (let attempt = 1; !this.closed; attempt++) {
      if (Date.now() - started >= this.timings.giveUpAfterMs) {
        this.signaling.drop();
        this.stalledNow = true;
        return this.emit('change');
      }
      await sleep(backoff.next());
      if (this.closed) return;
      try {
        const how = await this.attempt();
        this.setPhase('joined');
        console.info(`meeting session: ${how} after ${Date.now() - started} ms (attempt ${attempt})`);
        return;
      } catch (error) {
        if (this.closed) return;
        const failure = ClientError.from(error, 'UNAVAILABLE');
        if (isFinalCode(failure.code)) return this.close(failure.toPayload());
        console.warn(`meeting session: attempt ${attempt} failed: ${failure.code} ${failure.message}`);
        this.signaling.hold();
        this.signaling.drop(); // the next attempt starts from a new socket
        if (this.current !== 'reconnecting') this.setPhase('reconnecting');
      }
    }
  }

  /** One try: a socket, then resume if the server may still keep us, else a full rejoin. */
  private async attempt(): Promise<'resumed' | 'rejoined'> {
    if (!this.signaling.connected) await this.connect(this.timings.attemptConnectTimeoutMs);
    const credential = this.credential;
    if (credential) {
      try {
        const answer = await this.signaling.request('resume', { ...credential, lastSeq: this.signaling.lastSeq });
        this.assertOpen();
        this.credential = { peerId: answer.peerId, resumeToken: answer.resumeToken };
        this.signaling.release();
        this.hooks.resumed();
        return 'resumed';
      } catch (error) {
        if (!(error instanceof ClientError) || error.code !== 'RESUME_FAILED') throw error;
        this.credential = null;
      }
    }
    await this.join(true);
    return 'rejoined';
  }

  /**
   * NODE-2/3: connects to the node that hosts the room, following its WRONG_NODE refusals (a few
   * hops); when a node does not answer, the next attempt goes to the next live node known.
   */
  private async connect(timeoutMs?: number): Promise<void> {
    for (let hop = 0, retries = 0; ; ) {
      try {
        await this.signaling.connect(timeoutMs);
        this.signaling.reportUnreachable(undefined);
        return;
      } catch (error) {
        const failure = ClientError.from(error, 'UNAVAILABLE');
        // NODE-5: the room's home just failed us; until the directory sees it dead, ask here again.
        if (failure.code === 'WRONG_NODE' && this.route.suspect(failure.params?.node) && retries++ < CLUSTER_LIMITS.maxStaleHomeRetries) {
          // NODE-5b: say so in the next handshake; that node probes the home and buries it if gone.
          this.signaling.reportUnreachable(String(failure.params?.node));
          if (retries > 1) await this.interruptible(sleep(CLUSTER_LIMITS.staleHomeRetryMs));
          this.assertOpen();
          continue;
        }
        if (failure.code === 'WRONG_NODE' && hop++ < CLUSTER_LIMITS.maxHops && this.route.follow(failure.params?.node)) {
          console.info(`meeting session: the room is on ${this.route.current}`);
          this.signaling.retarget(this.route.current);
          continue;
        }
        if (failure.code === 'UNAVAILABLE' && this.joinedOnce && this.route.failed()) {
          console.info(`meeting session: ${this.signaling.node} does not answer, next: ${this.route.current}`);
          this.signaling.retarget(this.route.current);
          // NODE-5: another node is known; ask it now rather than after the next backoff.
          if (hop++ < CLUSTER_LIMITS.maxHops) continue;
        }
        throw failure;
      }
    }
  }

  private interruptible<T>(wait: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const stop = (error: ClientError): void => {
        this.interrupts.delete(stop);
        reject(error);
      };
      this.interrupts.add(stop);
      wait.then(
        (value) => (this.interrupts.delete(stop), resolve(value)),
        (error: unknown) => (this.interrupts.delete(stop), reject(error)),
      );
    });
  }

  private interrupt(error: ClientError): void {
    for (const stop of [...this.interrupts]) stop(error);
  }

  private assertOpen(): void {
    if (this.closed) throw new ClientError('UNAVAILABLE', 'the session was closed');
  }

  private setPhase(phase: SessionPhase): void {
    this.current = phase;
    this.emit('change');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
