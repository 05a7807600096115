import type { ErrorCode, ErrorPayload } from '@nomades/shared';

/** An error carrying a wire code (from the server, or chosen by the client for network failures). */
export class ClientError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ClientError';
    this.code = code;
  }

  static from(error: unknown, fallback: ErrorCode = 'INTERNAL'): ClientError {
    if (error instanceof ClientError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new ClientError(fallback, message);
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message };
  }
}
