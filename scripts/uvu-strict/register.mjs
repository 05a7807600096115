// Preloaded by scripts/run-tests.mjs (`node --import tsx --import ./scripts/uvu-strict/register.mjs file`):
// test files that import 'uvu' get uvu.mjs (the real uvu with loud hooks); see hooks.mjs. Node 22.15+
// runs the hook in-thread (module.registerHooks; module.register is deprecated from Node 26: DEP0205).
import module from 'node:module';
import { resolveSync } from './hooks.mjs';

if (typeof module.registerHooks === 'function') module.registerHooks({ resolve: resolveSync });
else module.register('./hooks.mjs', import.meta.url);
