import fs from 'node:fs';
import path from 'node:path';
import { DEFAULTS } from '@klp/config';

// docker-compose.yml cannot run on the machines that build this project (no Docker engine), so
// its variables are kept right by this test instead: one set of names and defaults everywhere.
const root = path.resolve(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

function envExample(): Map<string, string> {
  const entries = read('.env.example')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]);
  return new Map(entries);
}

describe('configuration is documented once and used the same way everywhere', () => {
  const documented = envExample();

  it('documents the variables every app needs', () => {
    for (const name of [
      'PORT',
      'KAFKA_BROKERS',
      'DATABASE_URL',
      'KLP_PARTITIONS',
      'KLP_TOKENS',
      'KLP_SIM_HOSTS',
    ]) {
      expect(documented.has(name)).toBe(true);
    }
  });

  it('gives the same defaults in .env.example as the config schemas', () => {
    for (const [name, value] of Object.entries(DEFAULTS)) {
      expect([name, documented.get(name)]).toEqual([name, String(value)]);
    }
  });

  it('uses only documented variables in docker-compose.yml, with the documented defaults', () => {
    const compose = read('docker-compose.yml');
    const interpolations = [...compose.matchAll(/\$\{([A-Z_]+)(?::-([^}]*)|:\?[^}]*)?\}/g)];
    expect(interpolations.length).toBeGreaterThan(10);
    for (const [, name, fallback] of interpolations) {
      expect([name, documented.has(name)]).toEqual([name, true]);
      if (fallback !== undefined) expect([name, fallback]).toEqual([name, documented.get(name)]);
    }
  });

  it('reads every variable the apps validate from .env.example', () => {
    const sources = ['apps/api/src/config.ts', 'apps/decider/src/config.ts', 'apps/projector/src/config.ts']
      .concat(['apps/fleet-sim/src/config.ts', 'libs/config/src/variables.ts'])
      .map(read)
      .join('\n');
    const validated = [...sources.matchAll(/^\s+([A-Z][A-Z0-9_]+): z\./gm)].map((match) => match[1]);
    expect(validated.length).toBeGreaterThan(10);
    for (const name of validated) expect([name, documented.has(name)]).toEqual([name, true]);
  });
});
