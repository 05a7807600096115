#!/usr/bin/env node
// The test command (`npm test`, called by .ci/run). Runs every tests/**/*.test.ts file in its own
// Node process (uvu + tsx; real servers, so files must not share a process), streams their
// output, and ends with one line `N passed, N failed`. Exit code 1 on any failure.
//   npm test                    all files
//   npm test -- unit token      only files whose path contains one of the words
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const FILE_TIMEOUT_MS = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 6 * 60_000);
const ORDER = ['unit', 'integration', 'e2e'];

function listTests(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'helpers' ? [] : listTests(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const filters = process.argv.slice(2);
const files = listTests(path.join(root, 'tests'))
  .map((f) => path.relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort((a, b) => {
    const rank = (f) => ORDER.findIndex((d) => f.startsWith(`tests/${d}/`));
    return rank(a) - rank(b) || a.localeCompare(b);
  });

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => process.stderr.write(d));
    const timer = setTimeout(() => {
      console.error(`\n✘ ${file}: killed after ${FILE_TIMEOUT_MS / 1000} s`);
      child.kill('SIGKILL');
    }, FILE_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? NaN);
      const passed = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? NaN);
      resolve({ file, code, signal, total, passed, seconds: (Date.now() - started) / 1000 });
    });
  });
}

let passed = 0;
let failed = 0;
const rows = [];
for (const file of files) {
  console.log(`\n━━ ${file}`);
  const r = await runFile(file);
  let filePassed = Number.isFinite(r.passed) ? r.passed : 0;
  let fileFailed = Number.isFinite(r.total) ? r.total - filePassed : 0;
  if (r.code !== 0 && fileFailed === 0) {
    // Crashed, timed out, or failed outside a test (a hook, an import): count the file as failed.
    fileFailed = 1;
    filePassed = 0;
  }
  passed += filePassed;
  failed += fileFailed;
  rows.push(`${fileFailed ? '✘' : '✔'} ${file}  ${filePassed} passed, ${fileFailed} failed  (${r.seconds.toFixed(1)} s${r.signal ? `, ${r.signal}` : ''})`);
}

console.log('\n' + rows.join('\n'));
if (files.length === 0) {
  console.log('no test files matched');
  failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
