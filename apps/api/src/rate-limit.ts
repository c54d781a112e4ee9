import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/**
 * Per-caller token buckets: `perSecond` requests a second on average, bursts up to twice that.
 * The caller is the bearer token (as a digest, so no secret is kept) or, without one, the address.
 * Past the limit the answer is 429 with Retry-After, before any work is done.
 */
export function rateLimiter(perSecond: number, now: () => number = Date.now) {
  const capacity = perSecond * 2;
  const buckets = new Map<string, Bucket>();
  let sweptAt = now();
  return (request: Request, response: Response, next: NextFunction): void => {
    const time = now();
    if (time - sweptAt > 60_000) {
      // Forget callers idle for a minute: their buckets are full again anyway.
      for (const [key, bucket] of buckets) if (time - bucket.refilledAt > 60_000) buckets.delete(key);
      sweptAt = time;
    }
    const header = request.headers.authorization;
    const key = header
      ? `t:${createHash('sha256').update(header).digest('base64url')}`
      : `a:${request.socket.remoteAddress ?? '?'}`;
    const bucket = buckets.get(key) ?? { tokens: capacity, refilledAt: time };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((time - bucket.refilledAt) / 1000) * perSecond);
    bucket.refilledAt = time;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const retryAfter = Math.ceil((1 - bucket.tokens) / perSecond);
      response.setHeader('Retry-After', String(retryAfter));
      response
        .status(429)
        .json({ error: 'too many requests', reason: `limit is ${perSecond} requests/s per token` });
      return;
    }
    bucket.tokens -= 1;
    next();
  };
}
