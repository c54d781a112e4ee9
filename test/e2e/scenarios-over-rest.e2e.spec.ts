import fs from 'node:fs';
import path from 'node:path';
import { apiTarget } from '../../tools/scenarios/api-target';
import { runFiles } from '../../tools/scenarios/run-files';
import { type Stack, startStack } from './stack';

// Every conformance scenario, end to end: REST → Kafka → decider → Kafka → projector → Postgres →
// REST, with `wait=true` read-your-writes between each command and the view that follows it.
const root = path.resolve(__dirname, '../..');
const sharedScenarios = process.env.KLP_SCENARIOS_DIR ?? path.resolve(root, '../shared/scenarios');
const ownScenarios = path.join(root, 'libs/domain/scenarios');

describe('the scenario files over REST against a started stack', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('passes every public scenario and every scenario of our own', async () => {
    expect(fs.readdirSync(sharedScenarios).filter((name) => name.endsWith('.json')).length).toBeGreaterThan(
      0,
    );
    const paths = [sharedScenarios, ...(fs.existsSync(ownScenarios) ? [ownScenarios] : [])];
    const report = await runFiles(paths, apiTarget({ baseUrl: stack.baseUrl, token: stack.tokens.admin }));
    const failures = report.files.flatMap((file) => file.lines);
    expect({ failures, logs: failures.length ? stack.logs() : '' }).toEqual({ failures: [], logs: '' });
    expect(report.passed).toBe(report.files.length);
  }, 300_000);
});
