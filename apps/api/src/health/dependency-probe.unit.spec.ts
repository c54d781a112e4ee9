import { probe } from './dependency-probe';

describe('probe', () => {
  it('reports a dependency that answers', async () => {
    const status = await probe('postgres', () => Promise.resolve(1), 100);
    expect(status).toMatchObject({ name: 'postgres', ok: true });
  });

  it('reports the error of a dependency that refuses', async () => {
    const status = await probe('kafka', () => Promise.reject(new Error('connection refused')), 100);
    expect(status).toEqual({ name: 'kafka', ok: false, error: 'connection refused' });
  });

  it('gives up on a dependency that hangs, at the deadline', async () => {
    const status = await probe('kafka', () => new Promise(() => undefined), 20);
    expect(status).toEqual({ name: 'kafka', ok: false, error: 'no answer within 20 ms' });
  });
});
