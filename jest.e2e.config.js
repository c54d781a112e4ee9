module.exports = require('./tools/jest/base')({
  tier: 'e2e',
  maxWorkers: 1,
  testTimeout: 120000,
  globalSetup: '<rootDir>/tools/jest/int-global-setup.js',
  globalTeardown: '<rootDir>/tools/jest/int-global-teardown.js',
});
