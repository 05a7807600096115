import type { clientReportRequests } from '@nomades/shared';
import type { RequestHandlers } from './requestHandlers.js';

type ReportHandlers = Pick<RequestHandlers, keyof typeof clientReportRequests>;

/** What clients report for the metrics (OPS-3): the value was bounded by the schema. */
export const reportHandlers: ReportHandlers = {
  async reportFirstMedia(ctx, { ms }) {
    ctx.reportFirstMedia(ms);
    return {};
  },
};
