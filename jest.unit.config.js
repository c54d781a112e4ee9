const base = require('./tools/jest/base')({ tier: 'unit' });

// Coverage is measured where the rules live: the domain must stay ≥ 95% covered by line.
module.exports = {
  ...base,
  collectCoverageFrom: [
    'libs/domain/src/**/*.ts',
    '!libs/domain/src/**/*.spec.ts',
    '!libs/domain/src/**/*.spec-helper.ts',
  ],
  coverageReporters: ['text-summary'],
  coverageThreshold: { global: { lines: 95 } },
};
