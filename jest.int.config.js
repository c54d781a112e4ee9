// Integration tests share one real Kafka broker and one Postgres server: run them one file at a time.
module.exports = require('./tools/jest/base')({
  tier: 'int',
  maxWorkers: 1,
  testTimeout: 60000,
  globalSetup: '<rootDir>/tools/jest/int-global-setup.js',
  globalTeardown: '<rootDir>/tools/jest/int-global-teardown.js',
});
