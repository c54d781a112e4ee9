import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimiter } from './rate-limit';

/** Bodies past these sizes are refused with 413 before any parsing or validation. */
export const BODY_LIMITS = { command: '64kb', batch: '4mb' } as const;

/**
 * Body parsing and the errors it raises, answered as JSON like every other error: a body that is
 * not JSON is 400, one past the size limit 413.
 */
export function configureHttp(app: INestApplication, options: { rateLimit: number }): void {
  const server = app.getHttpAdapter().getInstance() as express.Express;
  server.disable('x-powered-by');
  server.use((_request: Request, response: Response, next: NextFunction) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  const limit = rateLimiter(options.rateLimit);
  server.use('/v1', limit);
  server.use('/graphql', limit);
  server.use('/v1/commands:batch', express.json({ limit: BODY_LIMITS.batch, strict: false }));
  server.use(express.json({ limit: BODY_LIMITS.command, strict: false }));
  server.use(
    (
      error: { status?: number; type?: string; message?: string },
      _request: Request,
      response: Response,
      next: NextFunction,
    ) => {
      if (error.type === 'entity.too.large') {
        response.status(413).json({ error: 'payload too large', reason: `the body is over the limit` });
      } else if (error.type === 'entity.parse.failed') {
        response
          .status(400)
          .json({ error: 'invalid JSON', problems: [{ path: '(body)', message: error.message }] });
      } else if (error.status && error.status >= 400 && error.status < 500) {
        response.status(error.status).json({ error: error.message ?? 'bad request' });
      } else {
        next(error);
      }
    },
  );
}
