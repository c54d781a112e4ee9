import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Requires } from '../auth/auth.guard';
import { SettlementListener } from '../commands/settlement-listener';

/** Notifications are coalesced: at most one event per this many ms, however busy the fleet. */
const COALESCE_MS = 250;
const HEARTBEAT_MS = 15_000;

/**
 * `GET /v1/stream`: server-sent events, one `settled` event whenever the read model took in new
 * outcomes (the projector's NOTIFY), so that a dashboard reloads what it shows at once instead of
 * on its next poll. Clients send the bearer token as a header (fetch streaming), as everywhere.
 */
@Controller('v1/stream')
@Requires('read')
export class StreamController {
  constructor(private readonly listener: SettlementListener) {}

  @Get()
  async stream(@Res() response: Response): Promise<void> {
    await this.listener.ready();
    response.status(200);
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    response.write(': connected\n\n');

    let pending = 0;
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      response.write(`event: settled\ndata: ${JSON.stringify({ commands: pending })}\n\n`);
      pending = 0;
    };
    const unwatch = this.listener.watch((commandIds) => {
      pending += commandIds.length;
      timer ??= setTimeout(flush, COALESCE_MS);
    });
    const heartbeat = setInterval(() => response.write(': ping\n\n'), HEARTBEAT_MS);
    response.on('close', () => {
      unwatch();
      clearInterval(heartbeat);
      clearTimeout(timer);
    });
  }
}
