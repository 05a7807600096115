import { z } from 'zod';

/**
 * What a client reports of its own experience, for the server's metrics (OPS-3 in
 * docs/spec/operations.md). Merged into the request map of requests.ts.
 */
export const CLIENT_REPORT_LIMITS = {
  /** OPS-3: the longest first-media time taken (beyond it the report is refused: a clock or a client gone wrong). */
  maxFirstMediaMs: 600_000,
} as const;

const empty = z.object({}).strict();

export const clientReportRequests = {
  /**
   * OPS-3: once per session, after join: milliseconds from the client starting its signaling
   * connection to the first remote audio or video arriving. A second report: CONFLICT.
   */
  reportFirstMedia: {
    request: z.object({ ms: z.number().int().min(0).max(CLIENT_REPORT_LIMITS.maxFirstMediaMs) }).strict(),
    response: empty,
  },
} as const;
