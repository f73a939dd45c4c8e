const fs = require('node:fs');
const path = require('node:path');

// Jest refuses a root that does not exist; some top-level folders appear only as work lands.
const roots = ['src', 'adapters', 'jobs', 'test'].filter((d) =>
  fs.existsSync(path.join(__dirname, d)),
);

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: roots.map((d) => `<rootDir>/${d}`),
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is `npm run typecheck`'s job; transpiling only keeps the suite fast.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  // The worker-death test leaves a simulated dead worker's handles behind on purpose; never let
  // one keep CI waiting.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
