import { SendCoalescer } from './send-coalescer';

/** A flush whose completion the test controls, recording what each call carried. */
function controlledFlush() {
  const calls: { items: number[]; finish: (error?: Error) => void }[] = [];
  const flush = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ items, finish: (error) => (error ? reject(error) : resolve()) });
    });
  return { calls, flush };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SendCoalescer', () => {
  it('sends at once when idle, and sends what arrived meanwhile together, in order', async () => {
    const { calls, flush } = controlledFlush();
    const coalescer = new SendCoalescer(flush, 100);
    const first = coalescer.send([1]);
    const later = [coalescer.send([2]), coalescer.send([3, 4]), coalescer.send([5])];
    await tick();
    expect(calls.map((call) => call.items)).toEqual([[1]]);
    calls[0].finish();
    await first;
    await tick();
    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3, 4, 5]]);
    calls[1].finish();
    await Promise.all(later);
  });

  it('caps a flush at maxItems, but never splits one send', async () => {
    const { calls, flush } = controlledFlush();
    const coalescer = new SendCoalescer(flush, 3);
    const sends = [
      coalescer.send([0]),
      coalescer.send([1, 2]),
      coalescer.send([3, 4]),
      coalescer.send([5, 6, 7, 8]),
    ];
    for (let i = 0; i < 4; i++) {
      await tick();
      calls[i]?.finish();
    }
    await Promise.all(sends);
    expect(calls.map((call) => call.items)).toEqual([[0], [1, 2], [3, 4], [5, 6, 7, 8]]);
  });

  it('rejects only the sends of a failed flush, and goes on with the next ones', async () => {
    const { calls, flush } = controlledFlush();
    const coalescer = new SendCoalescer(flush, 100);
    const first = coalescer.send([1]);
    const failing = [coalescer.send([2]), coalescer.send([3])];
    await tick();
    calls[0].finish();
    await first;
    await tick();
    calls[1].finish(new Error('broker away'));
    await expect(failing[0]).rejects.toThrow('broker away');
    await expect(failing[1]).rejects.toThrow('broker away');
    const after = coalescer.send([4]);
    await tick();
    calls[2].finish();
    await after;
    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3], [4]]);
  });

  it('answers an empty send at once without flushing', async () => {
    const { calls, flush } = controlledFlush();
    await new SendCoalescer(flush, 10).send([]);
    expect(calls).toHaveLength(0);
  });
});
