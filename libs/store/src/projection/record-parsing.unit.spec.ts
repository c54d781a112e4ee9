import { deadLetter, parseAudit, parseEvent } from './record-parsing';

const event = {
  schemaVersion: 1,
  type: 'ModuleLoaded',
  hostId: 'h1',
  version: 3,
  payload: { module: 'nfsd' },
  commandId: 'c-3',
  correlationId: 'c-3',
  actor: 'agent@h1',
  occurredAt: '2026-11-27T10:00:00.000Z',
};
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('parseEvent', () => {
  it('reads a current event', () => {
    expect(parseEvent(json(event))).toEqual({ ok: true, value: event });
  });

  it.each([
    ['no value', null, /no value/],
    ['not JSON', Buffer.from('{'), /^not JSON/],
    ['an unknown schema version', json({ ...event, schemaVersion: 99 }), /schemaVersion 99/],
    ['an unknown type', json({ ...event, type: 'ModuleTeleported' }), /unknown event type/],
    ['a payload of another shape', json({ ...event, payload: { module: 7 } }), /payload of ModuleLoaded/],
    ['a time that is not an instant', json({ ...event, occurredAt: 'yesterday' }), /ISO-8601/],
    ['a version no integer column holds', json({ ...event, version: 2 ** 31 }), /out of range/],
    ['U+0000, which Postgres refuses', json({ ...event, actor: 'a\u0000b' }), /U\+0000/],
  ])('refuses %s', (_, value, error) => {
    const parsed = parseEvent(value);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toMatch(error);
  });

  it('accepts a literal backslash-u text (only a real U+0000 is refused)', () => {
    expect(parseEvent(json({ ...event, actor: '\\u0000' })).ok).toBe(true);
  });
});

describe('parseAudit', () => {
  const record = {
    schemaVersion: 1,
    hostId: 'h1',
    seq: 1,
    version: 1,
    index: 0,
    at: '2026-11-27T10:00:00.000Z',
    actor: 'ops',
    commandId: 'c-1',
    commandType: 'HostBooted',
    entity: { kind: 'host' },
    attribute: 'exists',
    from: false,
    to: true,
    prevHash: '0'.repeat(64),
    hash: 'f'.repeat(64),
  };

  const next = { ...record, seq: 2, index: 1, attribute: 'kernelRelease', prevHash: record.hash };

  it('reads a packed value: the records of one command, in chain order (ADR 0013)', () => {
    expect(parseAudit(json([record, next]))).toEqual({ ok: true, value: [record, next] });
  });

  it('reads a value of one record, as written before packing', () => {
    expect(parseAudit(json(record))).toEqual({ ok: true, value: [record] });
  });

  it('refuses a packed value whole when one of its records is bad, and says which', () => {
    expect(parseAudit(json([record, { ...next, seq: -1 }]))).toEqual({
      ok: false,
      error: 'record 1 of 2: audit fields seq, version and index must be integers >= 0',
    });
  });

  it('refuses an empty array and records of two hosts in one value', () => {
    expect(parseAudit(json([])).ok).toBe(false);
    expect(parseAudit(json([record, { ...next, hostId: 'h2' }]))).toEqual({
      ok: false,
      error: 'record 1 is of host h2, record 0 of h1',
    });
  });

  it.each([
    ['another schema version', { ...record, schemaVersion: 2 }],
    ['a missing hash', { ...record, hash: undefined }],
    ['a negative seq', { ...record, seq: -1 }],
    ['an entity without kind', { ...record, entity: {} }],
    ['no `to`', { ...record, to: undefined }],
  ])('refuses %s', (_, value) => {
    expect(parseAudit(json(value)).ok).toBe(false);
  });
});

describe('deadLetter', () => {
  it('keeps text as text and anything else as base64', () => {
    const at = new Date('2026-11-28T00:00:00Z');
    const source = { topic: 'klp.events', partition: 2 };
    expect(
      deadLetter(
        source,
        { offset: '7', key: Buffer.from('h1'), value: Buffer.from('{') },
        'not JSON',
        'projector',
        at,
      ),
    ).toEqual({
      schemaVersion: 1,
      sourceTopic: 'klp.events',
      sourcePartition: 2,
      sourceOffset: '7',
      key: 'h1',
      value: '{',
      valueEncoding: 'utf8',
      error: 'not JSON',
      app: 'projector',
      at: '2026-11-28T00:00:00.000Z',
    });
    const binary = Buffer.from([0xc3, 0x28]);
    expect(deadLetter(source, { offset: '8', key: null, value: binary }, 'x', 'projector', at)).toMatchObject(
      {
        key: null,
        value: binary.toString('base64'),
        valueEncoding: 'base64',
      },
    );
  });
});
