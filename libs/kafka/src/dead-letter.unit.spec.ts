import { DEAD_LETTER_MAX_VALUE_BYTES, deadLetterMessage, deadLetterOf } from './dead-letter';

const at = new Date('2026-11-27T12:00:00Z');
const source = (value: Buffer | null, key: Buffer | null = Buffer.from('h1')) => ({
  topic: 'klp.commands',
  partition: 3,
  offset: '41',
  key,
  value,
});

describe('dead letters', () => {
  it('keeps a text record as text, with where it came from and why', () => {
    const letter = deadLetterOf(source(Buffer.from('not json')), 'the value is not JSON', 'decider', at);
    expect(letter).toEqual({
      schemaVersion: 1,
      sourceTopic: 'klp.commands',
      sourcePartition: 3,
      sourceOffset: '41',
      key: 'h1',
      value: 'not json',
      valueEncoding: 'utf8',
      error: 'the value is not JSON',
      app: 'decider',
      at: '2026-11-27T12:00:00.000Z',
    });
    expect(deadLetterMessage(letter, source(null)).headers).toEqual({ 'klp-source': 'klp.commands/3/41' });
  });

  it('writes key and value in base64 when either is not valid UTF-8', () => {
    const letter = deadLetterOf(source(Buffer.from([0xff, 0x00])), 'bad', 'decider', at);
    expect(letter).toMatchObject({
      key: Buffer.from('h1').toString('base64'),
      value: '/wA=',
      valueEncoding: 'base64',
    });
    expect(deadLetterOf(source(null, null), 'no value', 'decider', at)).toMatchObject({
      key: null,
      value: null,
    });
  });

  it('truncates a huge value at a character boundary so that the dead letter itself can be produced', () => {
    const huge = Buffer.from('é'.repeat(DEAD_LETTER_MAX_VALUE_BYTES)); // 2 bytes each
    const letter = deadLetterOf(source(huge), 'too big', 'decider', at);
    expect(letter.valueEncoding).toBe('utf8');
    expect(Buffer.byteLength(letter.value ?? '')).toBeLessThanOrEqual(DEAD_LETTER_MAX_VALUE_BYTES);
    expect(letter.value).toMatch(/^é+$/);
    expect(letter.error).toMatch(/^too big \(value truncated to its first \d+ bytes\)$/);
  });
});
