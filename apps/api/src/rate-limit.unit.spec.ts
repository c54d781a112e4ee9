import type { NextFunction, Request, Response } from 'express';
import { rateLimiter } from './rate-limit';

function call(limit: ReturnType<typeof rateLimiter>, authorization?: string): number {
  let status = 200;
  const response = {
    setHeader: () => response,
    status(code: number) {
      status = code;
      return response;
    },
    json: () => response,
  } as unknown as Response;
  const request = {
    headers: { authorization },
    socket: { remoteAddress: '127.0.0.1' },
  } as unknown as Request;
  limit(request, response, (() => undefined) as NextFunction);
  return status;
}

describe('rate limiting per token', () => {
  it('lets a burst of twice the rate through, then answers 429 until time refills the bucket', () => {
    let time = 0;
    const limit = rateLimiter(10, () => time);
    const statuses = Array.from({ length: 21 }, () => call(limit, 'Bearer a'));
    expect(statuses.filter((status) => status === 200)).toHaveLength(20);
    expect(statuses[20]).toBe(429);
    time += 100;
    expect(call(limit, 'Bearer a')).toBe(200);
    expect(call(limit, 'Bearer a')).toBe(429);
  });

  it('keeps a bucket per token', () => {
    const limit = rateLimiter(1, () => 0);
    expect([call(limit, 'Bearer a'), call(limit, 'Bearer a'), call(limit, 'Bearer a')]).toEqual([
      200, 200, 429,
    ]);
    expect(call(limit, 'Bearer b')).toBe(200);
  });
});
