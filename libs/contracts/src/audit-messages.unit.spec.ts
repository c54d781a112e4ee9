import fc from 'fast-check';
import { auditMembers, packAuditTexts } from './audit-messages';

describe('packAuditTexts', () => {
  it("packs one command's records into one array value, in order", () => {
    const texts = ['{"seq":1}', '{"seq":2}', '{"seq":3}'];
    expect(packAuditTexts(texts)).toEqual(['[{"seq":1},{"seq":2},{"seq":3}]']);
  });

  it('answers no value for no records', () => {
    expect(packAuditTexts([])).toEqual([]);
  });

  it('splits a run that outgrows the limit, and sends a record larger than it alone', () => {
    const big = `{"to":"${'x'.repeat(50)}"}`;
    expect(packAuditTexts(['{"seq":1}', '{"seq":2}', big, '{"seq":4}'], 30)).toEqual([
      '[{"seq":1},{"seq":2}]',
      `[${big}]`,
      '[{"seq":4}]',
    ]);
  });

  it('keeps every record, in order, and every value under the limit unless it holds one record (property)', () => {
    const record = fc
      .record({ seq: fc.nat(), to: fc.string({ unit: 'binary', maxLength: 40 }) })
      .map((value) => JSON.stringify(value));
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), fc.integer({ min: 8, max: 400 }), (texts, limit) => {
        const values = packAuditTexts(texts, limit);
        const unpacked = values.flatMap((value) => auditMembers(JSON.parse(value)));
        expect(unpacked).toEqual(texts.map((text) => JSON.parse(text) as unknown));
        for (const value of values) {
          const members = auditMembers(JSON.parse(value)).length;
          expect(members === 1 || Buffer.byteLength(value) <= limit).toBe(true);
        }
      }),
    );
  });
});

describe('auditMembers', () => {
  it('answers the members of an array, and a lone record (a value written before packing) as one', () => {
    expect(auditMembers([{ seq: 1 }, { seq: 2 }])).toEqual([{ seq: 1 }, { seq: 2 }]);
    expect(auditMembers({ seq: 1 })).toEqual([{ seq: 1 }]);
  });
});
