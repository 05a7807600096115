// Module resolution hook (see register.mjs): `import … from 'uvu'` resolves to ./uvu.mjs, except from
// ./uvu.mjs itself, which gets the real package. Other specifiers ('uvu/assert', …) are left alone.
const WRAPPER = new URL('./uvu.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'uvu' && context.parentURL !== WRAPPER) return { url: WRAPPER, shortCircuit: true };
  return nextResolve(specifier, context);
}
