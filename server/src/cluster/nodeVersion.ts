import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/**
 * SPAN-5: this node's software version, published in its directory record: a room's annex runs
 * the home's version (the node link's methods are those of one release). The repository's
 * package.json version; this file and the bundle (dist/server/src/main.js) are both three folders
 * below the repository, so the same relative path serves both.
 */
export function nodeVersion(): string {
  if (cached === undefined) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../../../package.json'), 'utf8')) as { version?: unknown };
      cached = typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
