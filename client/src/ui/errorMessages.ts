import type { TFunction } from 'i18next';
import type { ErrorPayload } from '@nomades/shared';

/** POLL-7, QUESTION-6 in docs/spec/polls.md: the limits and states a CONFLICT names. */
const CONFLICT_VARIANTS = new Set(['pollsPerRoom', 'questionsPerRoom', 'questionsPerIdentity', 'pollNotOpen', 'questionNotOpen']);

/**
 * A wire error in the agent's words: `errors:<CODE>`, or its variant that names the value the
 * server sent (`ROOM_FULL_max`, `SCREEN_SHARE_BUSY_name`, `MEDIA_LOCKED_camera`, an invitation's
 * `FORBIDDEN_revoked` / `FORBIDDEN_usedUp`, INV-5; a poll's `CONFLICT_pollsPerRoom`…), ERR-1. Never the
 * server's English `message`. tests/unit/i18nCatalogues checks every code has words.
 */
export function describeError(t: TFunction, error: Pick<ErrorPayload, 'code' | 'params'>): string {
  const params = error.params ?? {};
  const variant =
    error.code === 'ROOM_FULL' && params.max !== undefined
      ? 'ROOM_FULL_max'
      : error.code === 'SCREEN_SHARE_BUSY' && params.name !== undefined
        ? 'SCREEN_SHARE_BUSY_name'
        : error.code === 'MEDIA_LOCKED' && (params.source === 'camera' || params.source === 'screen')
          ? `MEDIA_LOCKED_${params.source}`
          : error.code === 'FORBIDDEN' && (params.reason === 'revoked' || params.reason === 'usedUp')
            ? `FORBIDDEN_${params.reason}`
            : error.code === 'CONFLICT' && typeof (params.limit ?? params.reason) === 'string' && CONFLICT_VARIANTS.has(String(params.limit ?? params.reason))
              ? `CONFLICT_${String(params.limit ?? params.reason)}`
              : error.code;
  return t(`errors:${variant}`, { ...params, defaultValue: t('errors:unknown') });
}
