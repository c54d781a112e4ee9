import { chunkBySize, isFencedError } from './transactional-batch';

describe('chunkBySize', () => {
  it('cuts messages into runs under the byte budget, in order', () => {
    const messages = Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: 'x'.repeat(100 + i) }));
    const chunks = chunkBySize(messages, 400);
    expect(chunks.flat()).toEqual(messages);
    expect(chunks.every((chunk) => chunk.length <= 3)).toBe(true);
    expect(chunks.length).toBeGreaterThan(3);
  });

  it('gives a message larger than the budget a run of its own', () => {
    const chunks = chunkBySize([{ value: 'a' }, { value: 'b'.repeat(1000) }, { value: 'c' }], 100);
    expect(chunks.map((chunk) => chunk.length)).toEqual([1, 1, 1]);
  });

  it('answers no runs for no messages', () => {
    expect(chunkBySize([])).toEqual([]);
  });
});

describe('isFencedError', () => {
  it('recognises a fenced producer, also when wrapped by kafkajs', () => {
    const fenced = Object.assign(new Error('fenced'), { type: 'INVALID_PRODUCER_EPOCH' });
    expect(isFencedError(fenced)).toBe(true);
    expect(isFencedError(Object.assign(new Error('retries'), { originalError: fenced }))).toBe(true);
    expect(isFencedError(new Error('timeout'))).toBe(false);
    expect(isFencedError('nope')).toBe(false);
  });
});
