// Preloaded by scripts/run-tests.mjs (`node --import tsx --import ./scripts/uvu-strict/register.mjs file`):
// registers hooks.mjs, which gives test files uvu.mjs (the real uvu with loud hooks) when they import 'uvu'.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
