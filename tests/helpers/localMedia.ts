import { MediaPeer, type MediaParticipant } from '@nomades/sfu';

/**
 * SPAN-2: a participant's media as this node's MediaPeer (its mediasoup objects), for tests that
 * look at them (layers, stats, placement). Throws when the media is on the room's annex.
 */
export function localMedia(media: MediaParticipant): MediaPeer {
  if (!(media instanceof MediaPeer)) throw new Error(`the media of ${media.id} is not on this node`);
  return media;
}
