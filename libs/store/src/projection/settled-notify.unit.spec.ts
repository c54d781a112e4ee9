import { MAX_NOTIFY_BYTES, settledPayloads } from './settled-notify';

describe('settledPayloads', () => {
  it('joins the command ids with commas', () => {
    expect(settledPayloads(['c-1', 'c-2', 'c-3'])).toEqual(['c-1,c-2,c-3']);
  });

  it('cuts the list so that no payload reaches the limit, and loses no id', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `command-${i}-${'é'.repeat(i % 20)}`);
    const payloads = settledPayloads(ids, 1000);
    expect(payloads.length).toBeGreaterThan(10);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(1000);
    expect(payloads.join(',').split(',')).toEqual(ids);
  });

  it('skips ids that no payload could carry (and empty ones)', () => {
    expect(settledPayloads(['', 'a', 'x'.repeat(MAX_NOTIFY_BYTES), 'b'])).toEqual(['a,b']);
  });

  it('sends nothing for nothing', () => {
    expect(settledPayloads([])).toEqual([]);
  });
});
