import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface Secrets {
  adminKey: string;
  tokenSecret: string;
  /** Where generated secrets are kept, when some were generated or read back. */
  file?: string;
}

/**
 * Fills in ADMIN_KEY and TOKEN_SECRET when they are not configured: generated once, kept in
 * DATA_DIR/secrets.json (mode 0600), and read back on the next start.
 */
export function ensureSecrets(dataDir: string, configured: { adminKey?: string; tokenSecret?: string }): Secrets {
  if (configured.adminKey && configured.tokenSecret) {
    return { adminKey: configured.adminKey, tokenSecret: configured.tokenSecret };
  }
  const file = path.join(dataDir, 'secrets.json');
  let stored: Partial<Secrets> = {};
  if (fs.existsSync(file)) stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Secrets>;
  const next = {
    adminKey: stored.adminKey ?? crypto.randomBytes(24).toString('base64url'),
    tokenSecret: stored.tokenSecret ?? crypto.randomBytes(48).toString('base64url'),
  };
  if (next.adminKey !== stored.adminKey || next.tokenSecret !== stored.tokenSecret) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
  }
  return {
    adminKey: configured.adminKey ?? next.adminKey,
    tokenSecret: configured.tokenSecret ?? next.tokenSecret,
    file,
  };
}
