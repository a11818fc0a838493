// ESM mode: NestJS 12 ships ES modules only, which Jest on Node 20 loads only under
// --experimental-vm-modules (set by the npm scripts).
/** @type {import('jest').Config} */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testRegex: '\\.(spec|e2e-spec)\\.ts$',
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  maxWorkers: 2,
  // Wide: the suite must pass on a busy machine (beside the benchmark, other test runs).
  testTimeout: 120_000,
  verbose: true,
};
