import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'packages/dashboard/test/**/*.test.tsx', 'examples/*/test/**/*.test.ts'],
    pool: 'forks',
    // Two test files at a time: most of a file's time is spent waiting on databases, child processes
    // and the browser, so on a 2-core machine two overlap well (one at a time took 11 min on PGlite).
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests assert behaviour, never timings; the machine is shared and noisy.
    retry: 0,
  },
})
