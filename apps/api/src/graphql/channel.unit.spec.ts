import { Channel } from './channel';

describe('Channel', () => {
  it('hands out pushed values in order, waiting when empty', async () => {
    const channel = new Channel<number>(() => undefined);
    channel.push(1);
    expect(await channel.next()).toEqual({ value: 1, done: false });
    const second = channel.next();
    channel.push(2);
    channel.push(3);
    expect(await second).toEqual({ value: 2, done: false });
    expect(await channel.next()).toEqual({ value: 3, done: false });
  });

  it('cleans up once and ends waiting readers when returned', async () => {
    const cleanup = jest.fn();
    const channel = new Channel<number>(cleanup);
    const pending = channel.next();
    await channel.return();
    await channel.return();
    channel.push(4);
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(await channel.next()).toEqual({ value: undefined, done: true });
    expect(cleanup).toHaveBeenCalledTimes(1);
  });
});
