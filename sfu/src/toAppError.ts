import { AppError } from '@nomades/shared';

/**
 * Maps an error thrown by mediasoup to the product's taxonomy: mediasoup throws TypeError for
 * parameters it rejects (a client's fault), anything else is a media failure.
 */
export function toAppError(error: unknown, context: string): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const clientFault =
    error instanceof TypeError || (error instanceof Error && /UnsupportedError|invalid|wrong|missing/i.test(error.name + message));
  return new AppError(clientFault ? 'BAD_REQUEST' : 'MEDIA_ERROR', `${context}: ${message.slice(0, 200)}`);
}
