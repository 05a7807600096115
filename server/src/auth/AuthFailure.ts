import type { AuthErrorCode } from '@nomades/shared';

/**
 * A sign-in or sign-out that did not end as hoped (AUTH-14): its code goes to the error page
 * (`/connexion/erreur?code=…`); `detail` is for the log only, never shown.
 */
export class AuthFailure extends Error {
  override name = 'AuthFailure';

  constructor(
    readonly code: AuthErrorCode,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${detail}`, options);
  }
}
