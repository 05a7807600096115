// Module resolution hook (see register.mjs): `import … from 'uvu'` resolves to ./uvu.mjs, except from
// ./uvu.mjs itself, which gets the real package. Other specifiers ('uvu/assert', …) are left alone.
export const WRAPPER = new URL('./uvu.mjs', import.meta.url).href;

/** For module.registerHooks (synchronous, in the same thread). */
export function resolveSync(specifier, context, nextResolve) {
  if (specifier === 'uvu' && context.parentURL !== WRAPPER) return { url: WRAPPER, shortCircuit: true };
  return nextResolve(specifier, context);
}

/** For module.register (older Node: asynchronous, off-thread). */
export async function resolve(specifier, context, nextResolve) {
  return resolveSync(specifier, context, nextResolve);
}
