import { COLLAB_LIMITS, COLLAB_ROOTS } from '@nomades/shared';
import type { UpdateRules } from './UpdateInspector.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What clients may write in a room's document: tldraw records in `board` (YKeyValue entries
 * `{ key, val }` with `val.id === key` and a string `typeName`) and the tldraw schema under
 * `meta.schema`. The chat and any other root are the server's.
 */
export const BOARD_RULES: UpdateRules = {
  writableRoots: new Set([COLLAB_ROOTS.board, COLLAB_ROOTS.meta]),
  checkInsert(root, key, values) {
    if (root === COLLAB_ROOTS.board) {
      if (key !== null) return 'board is an array';
      for (const v of values) {
        if (
          !isObject(v) ||
          typeof v.key !== 'string' ||
          v.key.length === 0 ||
          v.key.length > COLLAB_LIMITS.maxBoardKeyLength ||
          !isObject(v.val) ||
          v.val.id !== v.key ||
          typeof v.val.typeName !== 'string'
        ) {
          return 'board entries are { key, val } tldraw records with val.id === key';
        }
      }
      return null;
    }
    if (key !== 'schema' || !values.every((v) => isObject(v) && typeof v.schemaVersion === 'number')) {
      return 'meta holds only the tldraw schema';
    }
    return null;
  },
};
