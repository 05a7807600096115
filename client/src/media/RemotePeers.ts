import type { types } from 'mediasoup-client';
import type { MediaSource, PeerInfo, ProducerInfo } from '@nomades/shared';
import type { RemotePeerView } from './RoomClientTypes';

export interface RemoteMedia {
  peerId: string;
  source: MediaSource;
  consumer: types.Consumer;
  producerPaused: boolean;
}

type PeerIdentity = Pick<PeerInfo, 'id' | 'displayName' | 'role'>;

/**
 * The remote side of a room: who is there and the consumers received from them, keyed by
 * producer id. Also tracks consumes in flight so that a producer closed meanwhile is dropped.
 */
export class RemotePeers {
  private readonly peers = new Map<string, PeerIdentity>();
  private readonly media = new Map<string, RemoteMedia>();
  /** producerId → peerId of consumes in flight. */
  private readonly pending = new Map<string, string>();
  /** Pause state learnt while a consume was in flight. */
  private readonly pausedWhilePending = new Map<string, boolean>();
  /** SIG-10: microphones muted since before we saw them, not consumed until they first unmute. */
  private readonly dormant = new Map<string, { peerId: string; producer: ProducerInfo }>();
  /** SIG-13: peers whose socket was lost and that the server keeps for a while (peerReconnecting). */
  private readonly reconnecting = new Set<string>();

  upsertPeer(peer: PeerIdentity): void {
    this.peers.set(peer.id, { id: peer.id, displayName: peer.displayName, role: peer.role });
  }

  hasPeer(peerId: string): boolean {
    return this.peers.has(peerId);
  }

  /** peerReconnecting / peerReconnected; false for a peer we do not know. */
  setReconnecting(peerId: string, reconnecting: boolean): boolean {
    if (!this.peers.has(peerId)) return false;
    if (reconnecting) this.reconnecting.add(peerId);
    else this.reconnecting.delete(peerId);
    return true;
  }

  removePeer(peerId: string): void {
    this.peers.delete(peerId);
    this.reconnecting.delete(peerId);
    for (const [producerId, pendingPeer] of this.pending) if (pendingPeer === peerId) this.pending.delete(producerId);
    for (const [producerId, d] of this.dormant) if (d.peerId === peerId) this.dormant.delete(producerId);
    for (const [producerId, media] of this.media) if (media.peerId === peerId) this.closeMedia(producerId);
  }

  /**
   * SIG-10: a microphone that is muted when we first see it is not consumed yet (a room of 50 has
   * mostly muted microphones: no transceiver, no renegotiation for them); true when deferred.
   */
  deferIfMuted(peerId: string, producer: ProducerInfo): boolean {
    if (producer.kind !== 'audio' || !producer.paused) return false;
    this.dormant.set(producer.id, { peerId, producer });
    return true;
  }

  /** A deferred microphone unmuted: returns it (to be consumed now) and forgets it. */
  wake(producerId: string): { peerId: string; producer: ProducerInfo } | undefined {
    const d = this.dormant.get(producerId);
    this.dormant.delete(producerId);
    return d && { peerId: d.peerId, producer: { ...d.producer, paused: false } };
  }

  /** Marks a consume as started; false when this producer is already consumed or being consumed. */
  begin(peerId: string, producerId: string): boolean {
    if (this.media.has(producerId) || this.pending.has(producerId)) return false;
    this.pending.set(producerId, peerId);
    return true;
  }

  isPending(producerId: string): boolean {
    return this.pending.has(producerId);
  }

  /** Ends a consume in flight; returns false (and closes the consumer) if it was cancelled meanwhile. */
  complete(producerId: string, media: RemoteMedia | null): boolean {
    const wanted = this.pending.delete(producerId);
    const paused = this.pausedWhilePending.get(producerId);
    this.pausedWhilePending.delete(producerId);
    if (!media) return false;
    if (!wanted || !this.peers.has(media.peerId)) {
      media.consumer.close();
      return false;
    }
    if (paused !== undefined) media.producerPaused = paused;
    this.media.set(producerId, media);
    followProducerPause(media);
    return true;
  }

  closeMedia(producerId: string): boolean {
    this.pending.delete(producerId);
    this.dormant.delete(producerId);
    const media = this.media.get(producerId);
    if (!media) return false;
    this.media.delete(producerId);
    media.consumer.close();
    return true;
  }

  setProducerPaused(producerId: string, paused: boolean): boolean {
    if (this.pending.has(producerId)) this.pausedWhilePending.set(producerId, paused);
    const media = this.media.get(producerId);
    if (!media) return false;
    media.producerPaused = paused;
    followProducerPause(media);
    return true;
  }

  /** The camera consumers received from one peer (its tile; a shared screen is shown apart). */
  videoConsumersOf(peerId: string): types.Consumer[] {
    return [...this.media.values()].filter((m) => m.peerId === peerId && m.source === 'camera').map((m) => m.consumer);
  }

  /** The media that should be flowing: not paused by its sender, nor here (MEDIA-5 counts only these). */
  activeMedia(): RemoteMedia[] {
    return [...this.media.values()].filter((m) => !m.producerPaused && !m.consumer.closed && !m.consumer.paused);
  }

  views(): RemotePeerView[] {
    return [...this.peers.values()].map((peer) => {
      const mine = [...this.media.values()].filter((m) => m.peerId === peer.id);
      const video = mine.find((m) => m.source === 'camera' && !m.producerPaused) ?? null;
      const screen = mine.find((m) => m.source === 'screen' && !m.producerPaused) ?? null;
      const mic = mine.find((m) => m.source === 'microphone');
      return {
        id: peer.id,
        displayName: peer.displayName,
        role: peer.role,
        videoTrack: video?.consumer.track ?? null,
        screenTrack: screen?.consumer.track ?? null,
        videoOff: !video,
        audioTracks: mine.filter((m) => m.consumer.kind === 'audio').map((m) => m.consumer.track),
        micMuted: !mic || mic.producerPaused,
        reconnecting: this.reconnecting.has(peer.id),
      };
    });
  }

  close(): void {
    for (const media of this.media.values()) media.consumer.close();
    this.media.clear();
    this.pending.clear();
    this.pausedWhilePending.clear();
    this.dormant.clear();
    this.peers.clear();
    this.reconnecting.clear();
  }
}

/**
 * SIG-10: once consumed, the audio of a participant who mutes again is paused locally too, so
 * that its transceiver goes inactive and nothing is decoded or mixed for it; resumed as soon as
 * the producer resumes.
 */
function followProducerPause(media: RemoteMedia): void {
  if (media.consumer.kind !== 'audio' || media.consumer.closed) return;
  if (media.producerPaused) media.consumer.pause();
  else media.consumer.resume();
}
