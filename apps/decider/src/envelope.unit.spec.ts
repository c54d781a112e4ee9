import { parseCommandRecord } from './envelope';

const valid = {
  commandId: 'cmd-1',
  hostId: 'web-01.example:a',
  type: 'EnablePatch',
  payload: { patch: 'lp1' },
  actor: 'ops',
  issuedAt: '2026-11-27T12:00:00.000Z',
};
const record = (value: unknown, key: string | null = valid.hostId) =>
  parseCommandRecord(key === null ? null : Buffer.from(key), Buffer.from(JSON.stringify(value)));

describe('parseCommandRecord: the envelope check that decides what is a poison record', () => {
  it('accepts a well-formed envelope keyed by its hostId', () => {
    expect(record(valid)).toEqual({ ok: true, command: valid });
    expect(record({ ...valid, correlationId: 'corr-1', expectedVersion: 3 }).ok).toBe(true);
    expect(record({ ...valid, issuedAt: '2026-11-27T12:00+02:00' }).ok).toBe(true);
  });

  it('leaves a semantically bad payload and expectedVersion to the domain (EINVAL there, not a dead letter)', () => {
    expect(record({ ...valid, payload: 'not an object' }).ok).toBe(true);
    expect(record({ ...valid, payload: undefined }).ok).toBe(true);
    expect(record({ ...valid, expectedVersion: 'three' }).ok).toBe(true);
  });

  it.each([
    ['no value', null, /no value/],
    ['not JSON', Buffer.from('{"commandId":'), /not JSON/],
    ['not an object', Buffer.from('[1,2]'), /JSON object/],
    ['JSON null', Buffer.from('null'), /JSON object/],
  ])('refuses a record with %s', (_, value, error) => {
    expect(parseCommandRecord(Buffer.from('h'), value)).toEqual({
      ok: false,
      error: expect.stringMatching(error),
    });
  });

  it.each([
    ['a missing commandId', { commandId: undefined }, /commandId must be/],
    ['an empty commandId', { commandId: '' }, /commandId must be/],
    ['a commandId of 129 characters', { commandId: 'c'.repeat(129) }, /commandId must be/],
    ['a commandId with a space', { commandId: 'a b' }, /commandId must be/],
    ['a numeric hostId', { hostId: 7 }, /hostId must be/],
    ['an unknown type', { type: 'RebootHost' }, /unknown command type "RebootHost"/],
    ['a missing actor', { actor: undefined }, /actor must be a string/],
    ['a numeric issuedAt', { issuedAt: 1764244800000 }, /issuedAt must be/],
    ['an issuedAt without a zone', { issuedAt: '2026-11-27T12:00:00' }, /issuedAt must be/],
    ['an impossible issuedAt', { issuedAt: '2026-13-45T12:00:00Z' }, /issuedAt must be/],
    ['a numeric correlationId', { correlationId: 5 }, /correlationId must be/],
  ])('refuses %s', (_, change, error) => {
    expect(record({ ...valid, ...change })).toEqual({ ok: false, error: expect.stringMatching(error) });
  });

  it('refuses a record whose key is not the hostId (it would live in the wrong partition)', () => {
    expect(record(valid, 'other-host')).toEqual({
      ok: false,
      error: expect.stringMatching(/record key "other-host"/),
    });
    expect(record(valid, null)).toEqual({ ok: false, error: expect.stringMatching(/record key null/) });
  });
});
