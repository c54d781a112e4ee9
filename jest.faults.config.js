// The fault suite starts its own broker and Postgres cluster (test/faults/infra.ts) and kills
// them on purpose: one file, one worker, no shared global setup.
module.exports = require('./tools/jest/base')({
  tier: 'faults',
  maxWorkers: 1,
  testTimeout: 1_200_000,
});
