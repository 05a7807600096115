import type { Test } from 'uvu';

/**
 * Runs a suite, then exits the process explicitly once uvu has printed its summary:
 * @roamhq/wrtc can crash at process exit (see docs/stack.md), which must not turn a green run red,
 * and a leaked handle must not hang the run. The exit code is uvu's.
 */
export function exitAfterRun(suite: Test<never> | Test<any>): void {
  suite.run();
  const poll = setInterval(() => {
    if (process.exitCode !== undefined) {
      clearInterval(poll);
      setTimeout(() => process.exit(process.exitCode), 50);
    }
  }, 50);
}
