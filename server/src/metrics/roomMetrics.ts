import type { Room } from '../rooms/Room.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { Metrics } from './Metrics.js';

const KINDS = ['audio', 'video'] as const;

/**
 * OPS-2: the live rooms' gauges, read at scrape time from the rooms themselves (no counter to keep
 * in step): rooms, participants (detached ones still keep their seat, SIG-13), producers and
 * consumers by kind (the participants' WebRTC ones; recording taps are in the workers' counts).
 * Resumes are counted as the rooms tell them (`peerresumed`).
 */
export function roomMetrics(metrics: Metrics, registry: RoomRegistry): void {
  const rooms = new Set<Room>();
  registry.on('roomopened', (room) => {
    rooms.add(room);
    room.on('peerresumed', () => metrics.reconnections.inc());
    room.once('close', () => rooms.delete(room));
  });
  const live = () => [...rooms].filter((r) => !r.closed);
  metrics.gauge({ name: 'nomades_rooms', help: 'Live rooms on this node (opened by a first join, closed when empty).', read: () => live().length });
  metrics.gauge({
    name: 'nomades_participants',
    help: 'Participants in live rooms, those whose connection is lost and kept for a resume included.',
    read: () => live().reduce((n, r) => n + r.peerCount, 0),
  });
  const byKind = (pick: (room: Room) => Iterable<{ kind: string }>) => {
    const counts = new Map<string, number>(KINDS.map((k) => [k, 0]));
    for (const room of live()) for (const item of pick(room)) counts.set(item.kind, (counts.get(item.kind) ?? 0) + 1);
    return [...counts].map(([kind, value]) => ({ labels: { kind }, value }));
  };
  metrics.gauge({
    name: 'nomades_producers',
    help: 'Media the participants send, by kind.',
    labelNames: ['kind'],
    read: () => byKind(function* (room) {
      for (const peer of room.peers()) yield* peer.media.producers.values();
    }),
  });
  metrics.gauge({
    name: 'nomades_consumers',
    help: 'Media the participants receive, by kind.',
    labelNames: ['kind'],
    read: () => byKind(function* (room) {
      for (const peer of room.peers()) yield* peer.media.consumers.values();
    }),
  });
}
