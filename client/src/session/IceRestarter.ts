import type { types } from 'mediasoup-client';
import { RESUME_LIMITS } from '@nomades/shared';

export interface IceRestarterOptions {
  /** Asks the server for new ICE parameters of this transport (`restartIce`). */
  fetchIceParameters: (transportId: string) => Promise<types.IceParameters>;
  /** False while signaling is down: the restart waits (a resume restarts ICE anyway). */
  canRestart: () => boolean;
  /** `recovering` changed. */
  onChange: () => void;
}

const BROKEN: ReadonlySet<string> = new Set(['disconnected', 'failed']);

/**
 * SIG-14: one transport's ICE restart. `disconnected` for RESUME_LIMITS.iceRestartAfterMs, or
 * `failed`, asks the server for new ICE parameters and restarts ICE with them; tried again while
 * the transport stays broken. Producers and consumers are untouched.
 */
export class IceRestarter {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private busy = false;
  private closed = false;
  private broken = false;
  /** A restart is under way: the media is being recovered (the UI says so). */
  recovering = false;

  constructor(
    private readonly transport: types.Transport,
    private readonly options: IceRestarterOptions,
  ) {
    transport.on('connectionstatechange', (state) => this.onState(state));
  }

  /** Restarts now, whatever the state (after a resume: the network may have changed). */
  restartNow(): void {
    void this.restart();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private onState(state: string): void {
    if (this.closed) return;
    // Broken from `disconnected`/`failed` until `connected` again (`connecting` after a restart too).
    if (BROKEN.has(state)) this.broken = true;
    if (state === 'connected') {
      this.broken = false;
      clearTimeout(this.timer);
      this.timer = undefined;
      this.setRecovering(false);
    } else if (state === 'failed') {
      void this.restart();
    } else if (state === 'disconnected') {
      this.arm(RESUME_LIMITS.iceRestartAfterMs);
    }
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.broken) void this.restart();
    }, ms);
  }

  private async restart(): Promise<void> {
    if (this.closed || this.busy || this.transport.closed) return;
    if (this.broken) this.setRecovering(true);
    if (!this.options.canRestart()) return this.arm(RESUME_LIMITS.iceRestartAfterMs);
    this.busy = true;
    console.info(`ICE restart of transport ${this.transport.id} (${this.transport.connectionState})`);
    try {
      const iceParameters = await this.options.fetchIceParameters(this.transport.id);
      if (!this.closed && !this.transport.closed) await this.transport.restartIce({ iceParameters });
    } catch (error) {
      if (!this.closed) console.warn(`ICE restart of transport ${this.transport.id} failed`, error);
    } finally {
      this.busy = false;
    }
    // Still broken later on: try again (the network may not be back yet).
    if (!this.closed) this.arm(RESUME_LIMITS.iceRestartAfterMs * 2);
  }

  private setRecovering(recovering: boolean): void {
    if (this.recovering === recovering) return;
    this.recovering = recovering;
    this.options.onChange();
  }
}
