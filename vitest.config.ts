import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native kernels use every core; running test files in parallel only makes them fight.
    fileParallelism: false,
    testTimeout: 60_000,
  },
});
