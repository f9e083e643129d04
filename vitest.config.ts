import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Sandbox and SDK tests spawn heavy processes; two cores cannot take many at once.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
