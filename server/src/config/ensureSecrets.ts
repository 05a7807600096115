import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PRIVATE_FILE_MODE, privateDir } from './privateDir.js';

export interface Secrets {
  adminKey: string;
  tokenSecret: string;
  /** Key of the recorders' channel /internal/recordings: never the admin key (REC-8). */
  recorderKey: string;
  /** Where generated secrets are kept, when some were generated or read back. */
  file?: string;
}

type Configured = { adminKey?: string; tokenSecret?: string; recorderKey?: string };
const GENERATED = {
  adminKey: () => crypto.randomBytes(24).toString('base64url'),
  tokenSecret: () => crypto.randomBytes(48).toString('base64url'),
  recorderKey: () => crypto.randomBytes(24).toString('base64url'),
} as const;

/**
 * Fills in ADMIN_KEY, TOKEN_SECRET and RECORDER_KEY when they are not configured: generated once,
 * kept in DATA_DIR/secrets.json (mode 0600, DATA_DIR 0700), and read back on the next start.
 */
export function ensureSecrets(dataDir: string, configured: Configured): Secrets {
  const names = Object.keys(GENERATED) as Array<keyof typeof GENERATED>;
  if (names.every((n) => configured[n])) {
    return { adminKey: configured.adminKey!, tokenSecret: configured.tokenSecret!, recorderKey: configured.recorderKey! };
  }
  privateDir(dataDir);
  const file = path.join(dataDir, 'secrets.json');
  let stored: Partial<Record<keyof typeof GENERATED, string>> = {};
  if (fs.existsSync(file)) stored = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof stored;
  const next = { ...stored };
  for (const n of names) next[n] ??= GENERATED[n]();
  // A recorder key left over equal to the admin key (or configured so) is never used: a new one is made.
  if (next.recorderKey === (configured.adminKey ?? next.adminKey)) next.recorderKey = GENERATED.recorderKey();
  if (names.some((n) => next[n] !== stored[n])) {
    fs.writeFileSync(file, JSON.stringify(next, null, 2) + '\n', { mode: PRIVATE_FILE_MODE });
  }
  fs.chmodSync(file, PRIVATE_FILE_MODE);
  return {
    adminKey: configured.adminKey ?? next.adminKey!,
    tokenSecret: configured.tokenSecret ?? next.tokenSecret!,
    recorderKey: configured.recorderKey ?? next.recorderKey!,
    file,
  };
}
