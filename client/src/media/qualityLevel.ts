/** A connection's quality as a tile shows it: 0 bad, 1 unstable, 2 fair, 3 good. */
export type QualityLevel = 0 | 1 | 2 | 3;

/** What is known of one connection; absent/null parts are not counted. */
export interface QualityInputs {
  /**
   * mediasoup transmission scores (0…10) of the streams that should be flowing: a producer's
   * (the sender's uplink as the SFU receives it) and a consumer's (the downlink to this client).
   */
  scores?: readonly number[];
  /** Fraction of packets lost over the last measurement (0…1), from getStats. */
  lossRate?: number | null;
  /** Round-trip time to the server (ms), from the selected ICE candidate pair. */
  rttMs?: number | null;
  /** The browser's estimate of the bitrate it can send (bit/s), when it sends video. */
  availableBitrate?: number | null;
}

/** Thresholds, worst first: a value at or beyond `[level 0, level 1, level 2]` gives that level. */
const SCORE = [3, 5, 8] as const; // below 3 → 0, below 5 → 1, below 8 → 2
const LOSS = [0.15, 0.08, 0.03] as const; // ≥ 15 % → 0, ≥ 8 % → 1, ≥ 3 % → 2
const RTT = [1000, 500, 300] as const; // ≥ 1 s → 0, ≥ 500 ms → 1, ≥ 300 ms → 2
const BITRATE = [100_000, 200_000, 400_000] as const; // < 100 kbit/s → 0, < 200 → 1, < 400 → 2

function below(value: number, limits: readonly [number, number, number]): QualityLevel {
  return value < limits[0] ? 0 : value < limits[1] ? 1 : value < limits[2] ? 2 : 3;
}

function atOrAbove(value: number, limits: readonly [number, number, number]): QualityLevel {
  return value >= limits[0] ? 0 : value >= limits[1] ? 1 : value >= limits[2] ? 2 : 3;
}

/**
 * The level of a connection: the worst of what is known (the lowest stream score, the loss, the
 * round trip, the sending estimate), or null when nothing is known yet.
 */
export function qualityLevel(inputs: QualityInputs): QualityLevel | null {
  const levels: QualityLevel[] = [];
  for (const score of inputs.scores ?? []) if (Number.isFinite(score)) levels.push(below(score, SCORE));
  if (inputs.lossRate != null && Number.isFinite(inputs.lossRate)) levels.push(atOrAbove(inputs.lossRate, LOSS));
  if (inputs.rttMs != null && Number.isFinite(inputs.rttMs)) levels.push(atOrAbove(inputs.rttMs, RTT));
  if (inputs.availableBitrate != null && Number.isFinite(inputs.availableBitrate)) levels.push(below(inputs.availableBitrate, BITRATE));
  if (levels.length === 0) return null;
  return Math.min(...levels) as QualityLevel;
}
