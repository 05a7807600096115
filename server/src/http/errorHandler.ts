import type { ErrorRequestHandler } from 'express';
import { AppError } from '@nomades/shared';
import type { Logger } from '../logging/logger.js';
import { storeUnavailable } from '../store/storeErrors.js';

/** Maps every error to `{ error: { code, message } }` with the code's HTTP status. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    let appError: AppError;
    if (error instanceof AppError) appError = error;
    else if (error?.type === 'entity.too.large') appError = new AppError('PAYLOAD_TOO_LARGE', 'request body too large');
    else if (error?.type === 'entity.parse.failed') appError = new AppError('BAD_REQUEST', 'request body is not valid JSON');
    else if (error?.type === 'charset.unsupported' || error?.type === 'encoding.unsupported') {
      appError = new AppError('UNSUPPORTED_MEDIA_TYPE', 'request body: unsupported charset or content encoding (send UTF-8 JSON)');
    } else if (Number.isInteger(error?.status) && error.status >= 400 && error.status < 500) {
      // Any other refusal of the body parser (aborted request, bad length): the client's fault.
      appError = new AppError('BAD_REQUEST', 'malformed request');
    } else if (storeUnavailable(error)) {
      log.warn({ err: error }, 'HTTP request failed: the database cannot be reached');
      appError = storeUnavailable(error)!;
    } else {
      log.error({ err: error }, 'HTTP request failed');
      appError = new AppError('INTERNAL', 'internal error');
    }
    res.status(appError.status).json({ error: appError.toPayload() });
  };
}
