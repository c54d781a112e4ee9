import { ConfigError } from '@klp/config';
import { loadDeciderConfig } from './config';

describe('decider configuration', () => {
  it('snapshots every 100 events and batches 2000 commands by default', () => {
    const config = loadDeciderConfig({});
    expect(config.KLP_SNAPSHOT_EVERY).toBe(100);
    expect(config.KLP_DECIDER_MAX_BATCH).toBe(2000);
    expect(config.KLP_PARTITIONS).toBe(12);
  });

  it('refuses a snapshot interval of zero', () => {
    expect(() => loadDeciderConfig({ KLP_SNAPSHOT_EVERY: '0' })).toThrow(ConfigError);
  });
});
