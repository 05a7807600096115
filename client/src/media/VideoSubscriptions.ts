import type { types } from 'mediasoup-client';
import type { SignalingClient } from './SignalingClient';

/** What a tile reports about itself: on screen or not, and its width in CSS pixels. */
export interface TileViewport {
  visible: boolean;
  width: number;
}

/** Simulcast layers a camera is published with (SIG-8): ¼, ½ and full resolution. */
export const CAMERA_SIMULCAST: RTCRtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

/** The smallest layer that still fills a tile of this width (device pixels). */
export function layerForWidth(cssWidth: number, pixelRatio = 1): number {
  const px = cssWidth * pixelRatio;
  if (px <= 360) return 0;
  if (px <= 720) return 1;
  return 2;
}

/**
 * Receives only what is shown (SIG-8): the video consumer of a tile that is off screen is paused
 * on the server; a visible one gets the simulcast layer that fits its size. Audio is untouched.
 */
export class VideoSubscriptions {
  private readonly viewports = new Map<string, TileViewport>();
  /** consumerId → what was last asked of the server, to send only changes. */
  private readonly applied = new Map<string, { paused: boolean; layer: number }>();

  constructor(
    private readonly signaling: SignalingClient,
    private readonly videoConsumersOf: (peerId: string) => types.Consumer[],
  ) {}

  /** A tile moved, resized, or scrolled in or out of view. */
  setViewport(peerId: string, viewport: TileViewport): void {
    this.viewports.set(peerId, viewport);
    for (const consumer of this.videoConsumersOf(peerId)) void this.apply(peerId, consumer);
  }

  /** A new video consumer of this peer was resumed: give it the tile's current state. */
  async apply(peerId: string, consumer: types.Consumer): Promise<void> {
    const viewport = this.viewports.get(peerId);
    if (!viewport || consumer.closed) return;
    const wanted = { paused: !viewport.visible, layer: layerForWidth(viewport.width, globalThis.devicePixelRatio ?? 1) };
    const last = this.applied.get(consumer.id);
    this.applied.set(consumer.id, wanted);
    try {
      if (wanted.paused !== (last?.paused ?? false)) {
        if (wanted.paused) consumer.pause();
        else consumer.resume();
        await this.signaling.request(wanted.paused ? 'pauseConsumer' : 'resumeConsumer', { consumerId: consumer.id });
      }
      if (!wanted.paused && wanted.layer !== last?.layer) {
        await this.signaling.request('setConsumerLayers', { consumerId: consumer.id, spatialLayer: wanted.layer });
      }
    } catch {
      this.applied.delete(consumer.id); // retried on the next viewport change
    }
  }

  forget(consumerId: string): void {
    this.applied.delete(consumerId);
  }
}
