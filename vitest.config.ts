import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Multi-process tests of the distributed module: their own run (vitest.distributed.config.ts).
    exclude: [...configDefaults.exclude, 'test/distributed/**'],
    // Native kernels use every core; running test files in parallel only makes them fight.
    fileParallelism: false,
    testTimeout: 60_000,
  },
});
