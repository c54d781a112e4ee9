import { z } from 'zod';
import { ConfigError, loadConfig } from './load-config';
import { DEFAULTS, databaseVariables, httpVariables, kafkaVariables } from './variables';

const schema = z.object({ ...kafkaVariables, ...databaseVariables, ...httpVariables });

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig('api', schema, {});
    expect(config.PORT).toBe(DEFAULTS.PORT);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:19092']);
    expect(config.KLP_PARTITIONS).toBe(12);
    expect(config.DATABASE_URL).toBe(DEFAULTS.DATABASE_URL);
    expect(config.KLP_TOKENS).toEqual([]);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig('api', schema, { PORT: '' }).PORT).toBe(3000);
  });

  it('parses broker lists and numbers', () => {
    const config = loadConfig('api', schema, {
      KAFKA_BROKERS: 'a:1, b:2',
      KLP_PARTITIONS: '3',
      PORT: '8080',
    });
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(config.KLP_PARTITIONS).toBe(3);
    expect(config.PORT).toBe(8080);
  });

  it('stops the boot with every problem named', () => {
    const attempt = () =>
      loadConfig('api', schema, { PORT: 'eighty', KAFKA_BROKERS: 'nohost', DATABASE_URL: 'mysql://x' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/KAFKA_BROKERS/);
      expect(problems).toMatch(/DATABASE_URL/);
    }
  });

  it('refuses a malformed token list without echoing the secret', () => {
    const attempt = () => loadConfig('api', schema, { KLP_TOKENS: 'wizard:me:supersecret1' });
    expect(attempt).toThrow(/KLP_TOKENS.*role must be one of/s);
    expect(attempt).not.toThrow(/supersecret1/);
  });
});
