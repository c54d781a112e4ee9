import { ConfigError } from '@klp/config';
import { loadProjectorConfig } from './config';

describe('projector configuration', () => {
  it('projects into the klp schema of the local database by default', () => {
    const config = loadProjectorConfig({});
    expect(config.KLP_DB_SCHEMA).toBe('klp');
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/klp');
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => loadProjectorConfig({ KLP_DB_SCHEMA: 'klp; drop table hosts' })).toThrow(ConfigError);
  });
});
