import type { NodePipes } from '@nomades/sfu';
import type { Metrics } from './Metrics.js';

type PipeTransport = NodePipes['transports'][number];
type Bytes = { in: number; out: number };

const DIRECTIONS = ['in', 'out'] as const;
const KINDS = ['audio', 'video'] as const;

/**
 * SPAN-3, read at scrape time from this node's pipes to other nodes (`pipes`: those of the rooms
 * homed here to their annexes, and those of the shards served here to their homes):
 * - `nomades_node_pipe_bytes_total{direction}`: bytes received (`in`) and sent (`out`) by the pipe
 *   transports of both lanes (SPAN-3b), RTP, RTX and RTCP, SRTP included. A counter across pipes that come and go: a
 *   transport's bytes are kept once it has closed, as last read (what it carried between the last
 *   scrape and its close is not counted).
 * - `nomades_node_piped_producers{direction,kind}`: producers piped in (consumed here, produced on
 *   another node) and out (produced here, consumed on another node), paused ones included.
 */
export function pipeMetrics(metrics: Metrics, pipes: () => Iterable<NodePipes>): void {
  /** The last read of each live pipe transport, and the total of those that closed since. */
  const lastRead = new Map<PipeTransport, Bytes>();
  const closed: Bytes = { in: 0, out: 0 };
  metrics.counter({
    name: 'nomades_node_pipe_bytes_total',
    help: 'Bytes through the pipe transports to other nodes (SPAN-3): received (in) and sent (out), RTP, RTX and RTCP.',
    labelNames: ['direction'],
    read: async () => {
      const live = new Set<PipeTransport>();
      for (const p of pipes()) for (const t of p.transports) if (!t.closed) live.add(t);
      for (const [transport, bytes] of lastRead) {
        if (live.has(transport)) continue;
        closed.in += bytes.in;
        closed.out += bytes.out;
        lastRead.delete(transport);
      }
      await Promise.all(
        [...live].map(async (transport) => {
          // One that closes meanwhile keeps its last read (added to `closed` at the next scrape).
          const stats = (await transport.getStats().catch(() => []))[0];
          if (stats) lastRead.set(transport, { in: stats.bytesReceived, out: stats.bytesSent });
        }),
      );
      const total: Bytes = { ...closed };
      for (const bytes of lastRead.values()) {
        total.in += bytes.in;
        total.out += bytes.out;
      }
      return DIRECTIONS.map((direction) => ({ labels: { direction }, value: total[direction] }));
    },
  });
  metrics.gauge({
    name: 'nomades_node_piped_producers',
    help: 'Producers piped from another node (in) and to another node (out), by kind (SPAN-3).',
    labelNames: ['direction', 'kind'],
    read: () => {
      const samples = DIRECTIONS.flatMap((direction) => KINDS.map((kind) => ({ labels: { direction, kind }, value: 0 })));
      const add = (direction: string, kind: string) => {
        const sample = samples.find((s) => s.labels.direction === direction && s.labels.kind === kind);
        if (sample) sample.value++;
      };
      for (const p of pipes()) {
        for (const producer of p.imported.values()) add('in', producer.kind);
        for (const pipe of p.exported.values()) add('out', pipe.kind);
      }
      return samples;
    },
  });
}
