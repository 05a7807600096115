// Self-test of the test command, scripts/run-tests.mjs: runs it with TEST_ROOT=tests/fixtures/runner (files a
// normal run never picks up) and checks that every fixture that must fail is reported as failed, with its
// reason, that the run ends with its exact summary line and a non-zero exit code, and that the processes a
// fixture left running (a grandchild holding the output pipe) are gone.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../helpers/waitFor.js';

const root = path.resolve(import.meta.dirname, '../..');
const FIXTURES = 'tests/fixtures/runner';
/** The hanging fixture is killed after this; the others take well under a second each. */
const FILE_TIMEOUT_MS = 10_000;
/** The run must end by then (nine files, one of them killed at FILE_TIMEOUT_MS): this checks that it ends. */
const RUN_BOUND_MS = 120_000;

interface Run {
  code: number | null;
  out: string;
  pidDir: string;
}

const runner = suite<{ run?: Run }>('scripts/run-tests.mjs on its fixtures');

runner.before(async (ctx) => {
  const pidDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-fixture-'));
  const child = spawn(process.execPath, ['scripts/run-tests.mjs'], {
    cwd: root,
    env: { ...process.env, TEST_ROOT: FIXTURES, TEST_FILE_TIMEOUT_MS: String(FILE_TIMEOUT_MS), RUNNER_FIXTURE_PIDS: pidDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    const bound = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the runner did not end within ${RUN_BOUND_MS / 1000} s; output so far:\n${out}`));
    }, RUN_BOUND_MS);
    child.once('exit', (c) => {
      clearTimeout(bound);
      resolve(c);
    });
  });
  ctx.run = { code, out, pidDir };
});

runner.after((ctx) => {
  if (ctx.run) fs.rmSync(ctx.run.pidDir, { recursive: true, force: true });
});

/** The row of the summary table for a fixture, with its reasons (the `↳` lines under it). */
function row(out: string, fixture: string): string {
  const lines = out.split('\n');
  const i = lines.findIndex((l) => /^[✔✘] /.test(l) && l.includes(`${FIXTURES}/${fixture}.test.ts `));
  assert.ok(i >= 0, `a row for ${fixture} in:\n${out}`);
  const reasons = [];
  for (let j = i + 1; j < lines.length && lines[j].startsWith('    ↳ '); j++) reasons.push(lines[j]);
  return [lines[i], ...reasons].join('\n');
}

const failures: Array<[fixture: string, counts: string, reason: RegExp]> = [
  ['empty', '0 passed, 1 failed', /↳ no tests$/m],
  ['skipped', '1 passed, 1 failed', /↳ 1 skipped$/m],
  ['only', '1 passed, 1 failed', /↳ test\.only: \(default suite\): "the only one run"$/m],
  ['beforeThrows', '0 passed, 1 failed', /↳ hook error: "before throws" before: Error: fixture: the before hook failed on purpose$/m],
  ['noSummary', '0 passed, 1 failed', /↳ no uvu summary/m],
  ['crashes', '0 passed, 1 failed', /↳ crashed with SIGKILL$/m],
  ['hangs', '0 passed, 1 failed', /↳ timed out after 10 s$/m],
  ['segfaults.wrtc', '0 passed, 1 failed', /↳ crashed with SIGSEGV$/m],
];

for (const [fixture, counts, reason] of failures) {
  runner(`${fixture}: reported as failed, with its reason`, (ctx) => {
    const r = row(ctx.run!.out, fixture);
    assert.ok(r.startsWith(`✘ ${FIXTURES}/${fixture}.test.ts  ${counts}  (`), r);
    assert.match(r, reason);
  });
}

runner('the passing files are reported as passed, with no reason', (ctx) => {
  assert.match(row(ctx.run!.out, 'passes'), /^✔ \S+ {2}2 passed, 0 failed {2}\([\d.]+ s\)$/);
  // A file that exits leaving a process behind passes, with a note: the runner killed what was left.
  assert.match(row(ctx.run!.out, 'leavesGrandchild'), /^✔ \S+ {2}1 passed, 0 failed {2}\([\d.]+ s, left running, killed: node\)$/);
  // A wrtc-client file whose first run segfaulted passes on its second, and says so.
  assert.match(row(ctx.run!.out, 'segfaultsOnce.wrtc'), /^✔ \S+ {2}1 passed, 0 failed {2}\([\d.]+ s, second run after a SIGSEGV of the wrtc client\)$/);
});

runner('the before hook error is printed with its stack', (ctx) => {
  assert.match(ctx.run!.out, /\[hook error\] "before throws" before: Error: fixture: the before hook failed on purpose\n\s+at .*beforeThrows\.test\.ts:\d+/);
});

runner('the run ends with the exact summary line and a non-zero exit code', (ctx) => {
  const lines = ctx.run!.out.trimEnd().split('\n');
  assert.is(lines.at(-1), '6 passed, 8 failed');
  assert.is(ctx.run!.code, 1);
});

/** Whether a process is still running (a zombie waiting for its reaper is not). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

for (const fixture of ['hangs', 'leavesGrandchild']) {
  runner(`${fixture}: the grandchild holding the pipe is gone after the run`, async (ctx) => {
    const pidFile = path.join(ctx.run!.pidDir, `${fixture}.pid`);
    assert.ok(fs.existsSync(pidFile), `${fixture} started its grandchild`);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    assert.ok(pid > 0);
    // SIGKILL was sent before the runner exited; its delivery is asynchronous, hence the wait.
    await waitFor(`grandchild ${pid} of ${fixture} gone`, () => !running(pid), 5_000, 50);
  });
}

runner.run();
