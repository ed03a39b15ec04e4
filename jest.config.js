/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', moduleResolution: 'node10', verbatimModuleSyntax: false } }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  reporters: ['default', '<rootDir>/test/count-reporter.js'],
  // e2e suites share one machine's ports and cores: run files one at a time.
  maxWorkers: 1,
  // e2e comparisons read thousands of balances from the chain per test
  testTimeout: 10 * 60_000,
};
