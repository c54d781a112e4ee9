import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  auditHash,
  canonicalAuditJson,
  canonicalJson,
  firstBrokenLink,
  GENESIS_HASH,
  sealAuditRecord,
  sealedAuditText,
  type AuditRecord,
} from './records';

const jsonValue = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<AuditRecord['from']>;
const entity = fc.record(
  {
    kind: fc.constantFrom('host', 'module', 'transition', 'patch', 'object', 'function', 'funcStack'),
    patch: fc.string(),
    object: fc.string(),
    func: fc.string(),
  },
  { requiredKeys: ['kind'] },
);
const unsealed: fc.Arbitrary<Omit<AuditRecord, 'hash'>> = fc.record({
  schemaVersion: fc.constant(1 as const),
  hostId: fc.string(),
  seq: fc.nat(),
  version: fc.nat(),
  index: fc.nat(),
  at: fc.string(),
  actor: fc.string(),
  commandId: fc.string(),
  commandType: fc.string(),
  entity,
  attribute: fc.string(),
  from: jsonValue,
  to: jsonValue,
  prevHash: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
});

describe('audit record encoding', () => {
  it('writes the same canonical text as the generic canonicalJson, for any record', () => {
    fc.assert(
      fc.property(unsealed, (record) => {
        expect(canonicalAuditJson(record)).toBe(canonicalJson(record));
      }),
      { numRuns: 2000 },
    );
  });

  it('falls back to the generic text for fields outside the record type', () => {
    fc.assert(
      fc.property(unsealed, fc.string(), (record, extra) => {
        const withExtra = { ...record, zExtra: extra, entity: { ...record.entity, aExtra: 1 } };
        expect(canonicalAuditJson(withExtra)).toBe(canonicalJson(withExtra));
      }),
    );
  });

  it('produces text that parses to the sealed record, with a hash that verifies', () => {
    fc.assert(
      fc.property(unsealed, (record) => {
        const { hash, text } = sealedAuditText(record);
        const parsed = JSON.parse(text) as AuditRecord;
        expect(parsed).toEqual(JSON.parse(JSON.stringify(sealAuditRecord(record))));
        expect(hash).toBe(auditHash(record));
      }),
    );
  });

  it('hashes as the contract says: sha256 hex of prevHash followed by the canonical text, in UTF-8', () => {
    fc.assert(
      fc.property(unsealed, (record) => {
        const expected = createHash('sha256')
          .update(Buffer.from(record.prevHash, 'utf8'))
          .update(Buffer.from(canonicalJson(record), 'utf8'))
          .digest('hex');
        expect(auditHash(record)).toBe(expected);
        expect(sealedAuditText(record).hash).toBe(expected);
      }),
    );
  });

  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: undefined, e: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"e":2}]},"b":1}',
    );
  });

  it('names the first record whose text no longer hashes to its chain', () => {
    const first = sealAuditRecord({
      schemaVersion: 1,
      hostId: 'h1',
      seq: 1,
      version: 1,
      index: 0,
      at: '2026-11-27T00:00:00.000Z',
      actor: 'ops',
      commandId: 'c1',
      commandType: 'HostBooted',
      entity: { kind: 'host' },
      attribute: 'kernelRelease',
      from: null,
      to: '6.1.0',
      prevHash: GENESIS_HASH,
    });
    const { hash: _firstHash, ...fields } = first;
    const second = sealAuditRecord({
      ...fields,
      seq: 2,
      index: 1,
      attribute: 'booted',
      prevHash: first.hash,
    });
    expect(firstBrokenLink([first, second])).toBeNull();
    expect(firstBrokenLink([first, { ...second, to: 'forged' }])).toEqual({ seq: 2, version: 1 });
  });
});
