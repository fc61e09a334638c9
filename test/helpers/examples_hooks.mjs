// Resolve hook for examples_loader.mjs: '../dist/index.js' from examples/ becomes lib/index.ts.
const lib = new URL('../../lib/index.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === '../dist/index.js' && context.parentURL?.includes('/examples/')) return nextResolve(lib, context);
  return nextResolve(specifier, context);
}
