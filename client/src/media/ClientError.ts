import type { ErrorCode, ErrorParams, ErrorPayload } from '@nomades/shared';

/** An error carrying a wire code (from the server, or chosen by the client for network failures). */
export class ClientError extends Error {
  readonly code: ErrorCode;
  readonly params: ErrorParams | undefined;

  /** `message` is for logs and developers; the UI shows `code` with `params` in words (ERR-1). */
  constructor(code: ErrorCode, message: string, params?: ErrorParams) {
    super(message);
    this.name = 'ClientError';
    this.code = code;
    this.params = params;
  }

  static fromPayload(payload: ErrorPayload): ClientError {
    return new ClientError(payload.code, payload.message, payload.params);
  }

  static from(error: unknown, fallback: ErrorCode = 'INTERNAL'): ClientError {
    if (error instanceof ClientError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new ClientError(fallback, message);
  }

  toPayload(): ErrorPayload {
    return this.params ? { code: this.code, message: this.message, params: this.params } : { code: this.code, message: this.message };
  }
}
