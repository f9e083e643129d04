import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Sandbox and SDK tests spawn heavy processes; two cores cannot take many at once.
    maxWorkers: 2,
    minWorkers: 1,
    // CI also writes a machine-readable summary (.ci/run prints "N passed, N failed" from it).
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: '.vitest-results.json' }]]
      : ['default'],
  },
});
