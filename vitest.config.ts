import { defineConfig } from 'vitest/config';

// One test file at a time in forked processes (2-core machines); the global setup starts one real Temporal dev server
// and one real PostgreSQL for the whole run and bundles the workflows once.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
  },
});
