import type { types } from 'mediasoup';

/** RTP bytes the consumers have sent so far (their outbound streams; 0 for a closed one). */
export async function outboundBytes(consumers: types.Consumer[]): Promise<number> {
  const stats = await Promise.all(consumers.map((c) => (c.closed ? [] : c.getStats().catch(() => []))));
  return stats.flat().reduce((n, s) => n + (s.type === 'outbound-rtp' ? s.byteCount : 0), 0);
}
