import { Coalescer } from './coalescer';

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

describe('Coalescer', () => {
  it('sends at once when idle, and sends what arrived meanwhile together, in order', async () => {
    const { calls, flush } = controlledFlush();
    const coalescer = new Coalescer(flush, 100);
    const first = coalescer.submit([1]);
    const later = [coalescer.submit([2]), coalescer.submit([3, 4]), coalescer.submit([5])];
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
    const coalescer = new Coalescer(flush, 3);
    const sends = [
      coalescer.submit([0]),
      coalescer.submit([1, 2]),
      coalescer.submit([3, 4]),
      coalescer.submit([5, 6, 7, 8]),
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
    const coalescer = new Coalescer(flush, 100);
    const first = coalescer.submit([1]);
    const failing = [coalescer.submit([2]), coalescer.submit([3])];
    await tick();
    calls[0].finish();
    await first;
    await tick();
    calls[1].finish(new Error('broker away'));
    await expect(failing[0]).rejects.toThrow('broker away');
    await expect(failing[1]).rejects.toThrow('broker away');
    const after = coalescer.submit([4]);
    await tick();
    calls[2].finish();
    await after;
    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3], [4]]);
  });

  it('answers an empty send at once without flushing', async () => {
    const { calls, flush } = controlledFlush();
    await new Coalescer(flush, 10).submit([]);
    expect(calls).toHaveLength(0);
  });

  it('answers every call of a flush with that flush result', async () => {
    const flushed: string[][] = [];
    const coalescer = new Coalescer((ids: string[]) => {
      flushed.push(ids);
      return Promise.resolve(new Set(ids.filter((id) => id !== 'b')));
    }, 10);
    const [first, second, third] = await Promise.all([
      coalescer.submit(['a']),
      coalescer.submit(['b', 'c']),
      coalescer.submit(['d'], new Set()),
    ]);
    expect(flushed).toEqual([['a'], ['b', 'c', 'd']]);
    expect([...first]).toEqual(['a']);
    expect([...second]).toEqual(['c', 'd']);
    expect(third).toBe(second);
    expect(await coalescer.submit([], new Set(['empty']))).toEqual(new Set(['empty']));
  });
});
