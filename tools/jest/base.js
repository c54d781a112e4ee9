// Shared Jest settings for every tier. Tiers differ only in which files they pick up and how
// many workers they may use; the transform is swc because tsc already type-checks in `npm test`.
const path = require('node:path');
const root = path.resolve(__dirname, '../..');

const swcTransform = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

/** @param {{tier: string, maxWorkers?: number, testTimeout?: number}} options */
module.exports = function jestConfig({ tier, maxWorkers, testTimeout, globalSetup, globalTeardown }) {
  return {
    rootDir: root,
    displayName: tier,
    testEnvironment: 'node',
    roots: [
      '<rootDir>/apps',
      '<rootDir>/libs',
      '<rootDir>/tools',
      '<rootDir>/migrations',
      '<rootDir>/test',
      '<rootDir>/bench',
    ].filter((dir) => require('node:fs').existsSync(dir.replace('<rootDir>', root))),
    testMatch: [`**/*.${tier}.spec.ts`],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    transform: { '^.+\\.(t|j)sx?$': swcTransform },
    moduleNameMapper: {
      '^@klp/(config|contracts|domain|kafka|store)$': '<rootDir>/libs/$1/src/index.ts',
    },
    maxWorkers: maxWorkers ?? '50%',
    testTimeout: testTimeout ?? 5000,
    globalSetup,
    globalTeardown,
    setupFiles: ['<rootDir>/tools/jest/setup-env.js'],
  };
};
