import { CLIENT_REPORT_LIMITS } from '@nomades/shared';
import type { SignalingClient } from '../media/SignalingClient';

/**
 * OPS-3 (docs/spec/operations.md): tells the server, once per meeting, how many milliseconds the
 * first remote audio or video took to arrive since the signaling connection started (the
 * server's `nomades_join_seconds{phase="first_media"}`). A remote track is muted until its first
 * packets arrive: its `unmute` is that moment. Nothing is sent past CLIENT_REPORT_LIMITS.
 */
export class FirstMediaReport {
  private startedAt: number | null = null;
  private sent = false;
  private readonly watched = new WeakSet<MediaStreamTrack>();

  constructor(private readonly signaling: SignalingClient) {}

  /** The signaling connection starts now (the first call counts). */
  start(): void {
    this.startedAt ??= performance.now();
  }

  /** The remote tracks the meeting has; the first one with media ends the wait. */
  watch(tracks: Iterable<MediaStreamTrack | null>): void {
    if (this.sent || this.startedAt === null) return;
    for (const track of tracks) {
      if (!track || this.watched.has(track)) continue;
      this.watched.add(track);
      if (!track.muted) return this.send();
      track.addEventListener('unmute', () => this.send(), { once: true });
    }
  }

  private send(): void {
    if (this.sent || this.startedAt === null) return;
    this.sent = true;
    const ms = Math.round(performance.now() - this.startedAt);
    if (ms > CLIENT_REPORT_LIMITS.maxFirstMediaMs) return;
    void this.signaling.request('reportFirstMedia', { ms }).catch(() => undefined);
  }
}
