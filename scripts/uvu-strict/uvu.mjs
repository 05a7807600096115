// The 'uvu' that test files get under scripts/run-tests.mjs (see hooks.mjs): uvu 0.5.6 itself, with two
// things it keeps quiet made loud, on stderr, in lines the runner looks for:
//   [hook error] <suite> <hook>: <message>   then the stack. uvu 0.5.6 drops an error thrown by a `before`
//                                            hook (its runner returns from a `finally`), and one thrown by an
//                                            `after.each` hook after a failed test; the error is printed,
//                                            then rethrown, so uvu behaves as before.
//   [test.only] <suite>: "<test name>"       a test declared with .only (the other tests of the suite are
//                                            not run; the runner fails the file).
import * as uvu from 'uvu';

const label = (name) => (name ? `"${name}"` : '(default suite)');

export function printHookError(suiteName, hook, error) {
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  const [first, ...rest] = text.split('\n');
  process.stderr.write(`\n[hook error] ${label(suiteName)} ${hook}: ${first}\n${rest.length ? rest.join('\n') + '\n' : ''}`);
}

function loud(suiteName, hook, add) {
  return (handler) =>
    add(async (state) => {
      try {
        await handler(state);
      } catch (error) {
        printHookError(suiteName, hook, error);
        throw error;
      }
    });
}

function strict(test, suiteName) {
  const { before, after, only } = test;
  const beforeEach = before.each;
  const afterEach = after.each;
  test.before = loud(suiteName, 'before', before);
  test.before.each = beforeEach; // its error is reported by uvu as the test's failure
  test.after.each = loud(suiteName, 'after.each', afterEach);
  test.only = (name, handler) => {
    process.stderr.write(`[test.only] ${label(suiteName)}: "${name}"\n`);
    only(name, handler);
  };
  return test;
}

export const suite = (name = '', state = {}) => strict(uvu.suite(name, state), name);
export const test = strict(uvu.test, '');
export const exec = uvu.exec;
