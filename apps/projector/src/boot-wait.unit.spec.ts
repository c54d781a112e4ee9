import { isTransientConnectionError, untilReachable } from './boot-wait';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const startingUp = Object.assign(new Error('the database system is starting up'), { code: '57P03' });
const badPassword = Object.assign(new Error('password authentication failed'), { code: '28P01' });

/** A clock that advances only when the code under test sleeps. */
function fakeTime() {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: (ms: number) => {
      slept.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

describe('waiting for Postgres at boot', () => {
  it('tells a Postgres that is not there yet from one that refuses', () => {
    expect(isTransientConnectionError(refused)).toBe(true);
    expect(isTransientConnectionError(startingUp)).toBe(true);
    expect(isTransientConnectionError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isTransientConnectionError(badPassword)).toBe(false);
    expect(isTransientConnectionError(new Error('relation "hosts" does not exist'))).toBe(false);
  });

  it('given Postgres back after three refusals, when booting, then it answers with doubling waits', async () => {
    const time = fakeTime();
    const failures = [refused, startingUp, refused];
    const retries: number[] = [];
    const answer = await untilReachable(
      () => {
        const failure = failures.shift();
        return failure ? Promise.reject(failure) : Promise.resolve('migrated');
      },
      { waitMs: 60_000, onRetry: (_, delay) => retries.push(delay), ...time },
    );
    expect(answer).toBe('migrated');
    expect(retries).toEqual([250, 500, 1000]);
    expect(time.slept).toEqual([250, 500, 1000]);
  });

  it('given Postgres down for good, when the wait is over, then the last failure is thrown', async () => {
    const time = fakeTime();
    await expect(
      untilReachable(() => Promise.reject(refused), { waitMs: 3000, onRetry: () => undefined, ...time }),
    ).rejects.toBe(refused);
    // 250 + 500 + 1000 + 1250 (what was left): never past the deadline.
    expect(time.slept).toEqual([250, 500, 1000, 1250]);
  });

  it('given a refusal, when booting, then it fails at once', async () => {
    const time = fakeTime();
    await expect(
      untilReachable(() => Promise.reject(badPassword), {
        waitMs: 60_000,
        onRetry: () => undefined,
        ...time,
      }),
    ).rejects.toBe(badPassword);
    expect(time.slept).toEqual([]);
  });
});
