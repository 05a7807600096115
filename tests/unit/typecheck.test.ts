import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

/**
 * The whole repository typechecks (`npm run typecheck`: shared, sfu, server, recorder, client,
 * tests, scripts). tsx runs TypeScript without checking it, so without this a type error in a
 * file no test imports would reach main unnoticed.
 */
test('tsc --noEmit over the whole repository reports no error', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit', '--pretty', 'false'], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  assert.is(r.status, 0, `tsc failed:\n${(r.stdout + r.stderr).slice(0, 6000)}`);
});

test.run();
