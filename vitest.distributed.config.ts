// The distributed suite: several processes per test over 127.0.0.1 (and, as root, across two
// network namespaces). `npm run test:distributed`; CI runs it after `npm test`. Needs Gloo
// (Debian/Ubuntu: libgloo-dev when building).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/distributed/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 60_000,
  },
});
