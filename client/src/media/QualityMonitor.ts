import type { types } from 'mediasoup-client';
import { MEDIA_LIMITS } from '@nomades/shared';
import { qualityLevel, type QualityLevel } from './qualityLevel';
import type { SignalingClient } from './SignalingClient';
import { TypedEmitter } from './TypedEmitter';

export interface QualitySnapshot {
  /** This client's own connection (its uplink), null while nothing is known. */
  self: QualityLevel | null;
  /** Each remote participant's, as this client receives them. */
  peers: ReadonlyMap<string, QualityLevel>;
}

/** What the monitor reads of the current participation (MediaConnection). */
export interface QualitySource {
  ownProducers(): readonly types.Producer[];
  /** The remote media that should be flowing (not paused by their sender or here). */
  activeMedia(): ReadonlyArray<{ peerId: string; consumer: types.Consumer }>;
  transportStats(direction: 'send' | 'recv'): Promise<RTCStatsReport | null>;
}

interface TransportReading {
  rttMs: number | null;
  availableBitrate: number | null;
  /** remote-inbound-rtp fractionLost (what the SFU reports of our streams), worst one. */
  fractionLost: number | null;
  /** inbound-rtp counters by track id. */
  inbound: Map<string, { lost: number; received: number }>;
}

/**
 * MEDIA-5: the tiles' connection levels, from the SFU's scores (`mediaScores`, MEDIA-4) and the
 * browser's own statistics (loss, round trip, sending estimate) read every scoreIntervalMs. A
 * store of its own, so that a level change re-renders only the indicators.
 */
export class QualityMonitor extends TypedEmitter<{ change: [] }> {
  private snapshot: QualitySnapshot = { self: null, peers: new Map() };
  private readonly producerScores = new Map<string, number>();
  private readonly consumerScores = new Map<string, { score: number; producerScore: number }>();
  /** Previous inbound counters by track id, for the loss over the last interval. */
  private previousInbound = new Map<string, { lost: number; received: number }>();
  /** Each remote participant's packet loss over the last interval (0…1), its streams together. */
  private peerLoss = new Map<string, number>();
  private send: TransportReading | null = null;
  private recv: TransportReading | null = null;
  private readonly timer: ReturnType<typeof setInterval>;
  private reading = false;
  private closed = false;

  constructor(
    signaling: SignalingClient,
    private readonly source: () => QualitySource | null,
    intervalMs: number = MEDIA_LIMITS.scoreIntervalMs,
  ) {
    super();
    signaling.on('mediaScores', ({ producers, consumers }) => {
      for (const p of producers) this.producerScores.set(p.producerId, p.score);
      for (const c of consumers) this.consumerScores.set(c.consumerId, { score: c.score, producerScore: c.producerScore });
      this.compute();
    });
    this.timer = setInterval(() => void this.read(), intervalMs);
  }

  readonly getSnapshot = (): QualitySnapshot => this.snapshot;
  readonly subscribe = (listener: () => void): (() => void) => this.on('change', listener);

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.removeAllListeners();
  }

  private async read(): Promise<void> {
    const source = this.source();
    if (!source || this.reading || this.closed) return;
    this.reading = true;
    try {
      const [send, recv] = await Promise.all([source.transportStats('send'), source.transportStats('recv')]);
      this.send = send ? readTransport(send) : null;
      this.recv = recv ? readTransport(recv) : null;
      this.peerLoss = this.lossByPeer(source, this.recv?.inbound ?? new Map());
    } finally {
      this.reading = false;
    }
    if (!this.closed) this.compute();
  }

  private lossByPeer(source: QualitySource, inbound: Map<string, { lost: number; received: number }>): Map<string, number> {
    const counts = new Map<string, { lost: number; received: number }>();
    for (const { peerId, consumer } of source.activeMedia()) {
      const now = inbound.get(consumer.track.id);
      const before = this.previousInbound.get(consumer.track.id);
      if (!now || !before || now.received < before.received) continue;
      const entry = counts.get(peerId) ?? { lost: 0, received: 0 };
      entry.lost += Math.max(0, now.lost - before.lost);
      entry.received += now.received - before.received;
      counts.set(peerId, entry);
    }
    this.previousInbound = inbound;
    const loss = new Map<string, number>();
    for (const [peerId, { lost, received }] of counts) if (lost + received > 0) loss.set(peerId, lost / (lost + received));
    return loss;
  }

  private compute(): void {
    const source = this.source();
    if (!source) return;
    const live = source.ownProducers().filter((p) => !p.closed && !p.paused);
    const self = qualityLevel({
      scores: live.flatMap((p) => (this.producerScores.has(p.id) ? [this.producerScores.get(p.id)!] : [])),
      lossRate: this.send?.fractionLost ?? null,
      rttMs: this.send?.rttMs ?? null,
      availableBitrate: live.some((p) => p.kind === 'video') ? (this.send?.availableBitrate ?? null) : null,
    });
    const scores = new Map<string, number[]>();
    for (const { peerId, consumer } of source.activeMedia()) {
      const list = scores.get(peerId) ?? [];
      scores.set(peerId, list);
      const score = this.consumerScores.get(consumer.id);
      if (score) list.push(score.score, score.producerScore);
    }
    const peers = new Map<string, QualityLevel>();
    for (const [peerId, list] of scores) {
      const level = qualityLevel({ scores: list, lossRate: this.peerLoss.get(peerId) ?? null, rttMs: this.recv?.rttMs ?? null });
      if (level !== null) peers.set(peerId, level);
    }
    const same = self === this.snapshot.self && peers.size === this.snapshot.peers.size && [...peers].every(([id, l]) => this.snapshot.peers.get(id) === l);
    if (same) return;
    this.snapshot = { self, peers };
    this.emit('change');
  }
}

/** The selected ICE pair's round trip and sending estimate, the SFU's loss reports, the inbound counters. */
function readTransport(report: RTCStatsReport): TransportReading {
  const reading: TransportReading = { rttMs: null, availableBitrate: null, fractionLost: null, inbound: new Map() };
  let selectedPair: string | undefined;
  report.forEach((s: Record<string, unknown>) => {
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') selectedPair = s.selectedCandidatePairId;
  });
  report.forEach((s: Record<string, unknown>) => {
    if (s.type === 'candidate-pair' && (s.id === selectedPair || (!selectedPair && s.nominated === true && s.state === 'succeeded'))) {
      if (typeof s.currentRoundTripTime === 'number') reading.rttMs = s.currentRoundTripTime * 1000;
      if (typeof s.availableOutgoingBitrate === 'number') reading.availableBitrate = s.availableOutgoingBitrate;
    }
    if (s.type === 'remote-inbound-rtp' && typeof s.fractionLost === 'number') reading.fractionLost = Math.max(reading.fractionLost ?? 0, s.fractionLost);
    if (s.type === 'inbound-rtp' && typeof s.trackIdentifier === 'string' && typeof s.packetsReceived === 'number') {
      reading.inbound.set(s.trackIdentifier, { lost: typeof s.packetsLost === 'number' ? s.packetsLost : 0, received: s.packetsReceived });
    }
  });
  return reading;
}
