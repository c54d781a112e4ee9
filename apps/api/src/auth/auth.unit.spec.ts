import { parseTokens } from '@klp/config';
import { hasCapability, mayReadFleet, mayReadHost, maySend } from './access';
import { globToRegExp } from './glob';
import { TokenRegistry, bearerToken } from './token-registry';

const registry = new TokenRegistry(
  parseTokens(
    'admin:ops:admin-secret,operator:alice:operator-secret,auditor:carol:auditor-secret,agent:web:agent-secret:web-*',
  ),
);
const principal = (token: string) => {
  const found = registry.authenticate(token);
  if (!found) throw new Error(`no principal for ${token}`);
  return found;
};

describe('bearer tokens', () => {
  it('finds the grant of a configured secret and nothing for any other', () => {
    expect(principal('operator-secret')).toMatchObject({ role: 'operator', subject: 'alice' });
    expect(registry.authenticate('operator-secreT')).toBeUndefined();
    expect(registry.authenticate('')).toBeUndefined();
  });

  it('reads only the Bearer scheme', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('the role matrix of API.md', () => {
  const admin = principal('admin-secret');
  const operator = principal('operator-secret');
  const auditor = principal('auditor-secret');
  const agent = principal('agent-secret');

  it('lets operators steer patches but not forge kernel reports', () => {
    expect(maySend(operator, 'EnablePatch', 'db-1')).toBe(true);
    expect(maySend(operator, 'ForceTransition', 'db-1')).toBe(true);
    expect(maySend(operator, 'PatchComplete', 'db-1')).toBe(false);
  });

  it('lets agents report only for the hosts of their pattern, and never steer', () => {
    expect(maySend(agent, 'HostBooted', 'web-01')).toBe(true);
    expect(maySend(agent, 'HostBooted', 'db-01')).toBe(false);
    expect(maySend(agent, 'EnablePatch', 'web-01')).toBe(false);
    expect(mayReadHost(agent, 'web-01')).toBe(true);
    expect(mayReadHost(agent, 'db-01')).toBe(false);
    expect(mayReadFleet(agent)).toBe(false);
  });

  it('lets auditors read and audit, and send nothing', () => {
    expect(maySend(auditor, 'EnablePatch', 'web-01')).toBe(false);
    expect(maySend(auditor, 'HostBooted', 'web-01')).toBe(false);
    expect(hasCapability(auditor, 'audit')).toBe(true);
    expect(hasCapability(auditor, 'admin')).toBe(false);
  });

  it('lets admins do everything', () => {
    expect(maySend(admin, 'HostBooted', 'anything')).toBe(true);
    expect(maySend(admin, 'EnablePatch', 'anything')).toBe(true);
    expect(hasCapability(admin, 'admin')).toBe(true);
    expect(mayReadFleet(admin)).toBe(true);
  });
});

describe('host globs', () => {
  it.each([
    ['web-*', 'web-01', true],
    ['web-*', 'xweb-01', false],
    ['db-0?', 'db-01', true],
    ['db-0?', 'db-011', false],
    ['a.b', 'aXb', false],
  ])('%s matches %s: %s', (glob, hostId, expected) => {
    expect(globToRegExp(glob).test(hostId)).toBe(expected);
  });
});
