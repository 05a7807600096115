import type { ErrorRequestHandler } from 'express';
import { AppError } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';

/** Maps every error to `{ error: { code, message } }` with the code's HTTP status. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    let appError: AppError;
    if (error instanceof AppError) appError = error;
    else if (error?.type === 'entity.too.large') appError = new AppError('PAYLOAD_TOO_LARGE', 'request body too large');
    else if (error?.type === 'entity.parse.failed') appError = new AppError('BAD_REQUEST', 'request body is not valid JSON');
    else {
      log.error({ err: error }, 'HTTP request failed');
      appError = new AppError('INTERNAL', 'internal error');
    }
    res.status(appError.status).json({ error: appError.toPayload() });
  };
}
