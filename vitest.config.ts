import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll's own default is 1 s: too short for a screen on a loaded CI machine. A wait
    // that is meant to be shorter says so at its call.
    expect: { poll: { timeout: 15_000 } },
    pool: 'forks',
    // Two files at a time: vitest's default on a 2-core machine is one, and most of a file's
    // time is spent waiting on PostgreSQL, brokers and browsers (docs/decisions.md, CI time).
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: 'dist/vitest-report.json' },
  },
});
