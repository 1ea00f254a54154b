/** @type {import('jest').Config} */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  // Integration tests spawn dist/ and wait on real sockets; give them room on a loaded 2-core machine.
  testTimeout: 60000,
  // Most suites wait on sockets and child processes, not the CPU: three at once on two cores
  // takes the run from almost four minutes to a minute and a half.
  maxWorkers: 3,
}
