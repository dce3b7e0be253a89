import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests start real servers and child processes; on a loaded 2-core CI machine
    // that can take seconds. The timeout is a safety net against hangs, not a speed check.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
