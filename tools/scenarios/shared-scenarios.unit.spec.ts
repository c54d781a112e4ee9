import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { inProcessTarget } from '@klp/domain';
import { runFile } from './run-files';

// Every conformance scenario of ../shared/scenarios (DOMAIN.md) and our own in libs/domain/scenarios
// must pass in-process. A missing or empty shared directory fails: this must never pass vacuously.
const root = path.resolve(__dirname, '../..');
const sharedDir = process.env.KLP_SCENARIOS_DIR ?? path.resolve(root, '../shared/scenarios');
const ownDir = path.resolve(root, 'libs/domain/scenarios');

function jsonFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .sort()
        .map((name) => path.join(dir, name))
    : [];
}

const shared = jsonFiles(sharedDir);
const own = jsonFiles(ownDir);

describe('conformance scenarios', () => {
  it(`finds the shared scenarios in ${sharedDir}`, () => {
    expect(existsSync(sharedDir)).toBe(true);
    expect(shared.length).toBeGreaterThan(0);
  });

  it('finds our own scenarios in libs/domain/scenarios', () => {
    expect(own.length).toBeGreaterThan(0);
  });

  const target = inProcessTarget();
  it.each([...shared, ...own].map((file) => [path.relative(root, file), file]))(
    '%s passes in-process',
    async (_, file) => {
      const result = await runFile(file, target);
      expect(result.lines).toEqual([]);
      expect(result.passed).toBe(true);
    },
  );
});
