import { ConfigError } from '@klp/config';
import { loadFleetSimConfig } from './config';

describe('fleet simulator configuration', () => {
  it('simulates 200 hosts against the local api by default', () => {
    const config = loadFleetSimConfig({});
    expect(config.KLP_SIM_HOSTS).toBe(200);
    expect(config.KLP_API_URL).toBe('http://127.0.0.1:3000');
  });

  it('honours KLP_SIM_HOSTS and refuses a negative fleet', () => {
    expect(loadFleetSimConfig({ KLP_SIM_HOSTS: '10000' }).KLP_SIM_HOSTS).toBe(10000);
    expect(() => loadFleetSimConfig({ KLP_SIM_HOSTS: '-1' })).toThrow(ConfigError);
  });
});

describe('the operator script switch', () => {
  it('runs the operator script when an operator token is given, unless KLP_SIM_OPERATOR=0', () => {
    expect(loadFleetSimConfig({}).operatorEnabled).toBe(false);
    expect(loadFleetSimConfig({ KLP_OPERATOR_TOKEN: 'secret123' }).operatorEnabled).toBe(true);
    expect(
      loadFleetSimConfig({ KLP_OPERATOR_TOKEN: 'secret123', KLP_SIM_OPERATOR: '0' }).operatorEnabled,
    ).toBe(false);
  });
});
