import { parseTokens } from './tokens';

describe('parseTokens', () => {
  it('reads role, subject, secret and an optional host pattern', () => {
    expect(parseTokens('admin:ops:s3cret-admin, agent:web-agents:a9f0a9f0a9:web-*')).toEqual([
      { role: 'admin', subject: 'ops', secret: 's3cret-admin' },
      { role: 'agent', subject: 'web-agents', secret: 'a9f0a9f0a9', hostPattern: 'web-*' },
    ]);
  });

  it('is empty for an empty list', () => {
    expect(parseTokens(' , ')).toEqual([]);
  });

  it.each([
    ['root:ops:longenough', /role must be one of/],
    ['admin::longenough', /subject/],
    ['admin:ops:short', /at least 8/],
    ['agent:a:longenough:web/*', /host pattern/],
    ['admin:ops:longenough:x:y', /expected role:subject:secret/],
    ['admin:a:samesecret1,operator:b:samesecret1', /share a secret/],
  ])('refuses %s', (value, message) => {
    expect(() => parseTokens(value)).toThrow(message);
  });
});
