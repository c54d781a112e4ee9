import { existsSync } from 'node:fs';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { ApiConfig } from './config';

/** Paths the api answers itself; everything else that is a GET may be the dashboard. */
const API_PREFIXES = ['/v1', '/graphql', '/health', '/metrics', '/docs'];

/** Everything from this origin, nothing inline, never framed. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "object-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function isApiPath(urlPath: string): boolean {
  return API_PREFIXES.some(
    (prefix) => urlPath === prefix || urlPath.startsWith(`${prefix}/`) || urlPath.startsWith(`${prefix}:`),
  );
}

function securityHeaders(response: Response): void {
  response.setHeader('Content-Security-Policy', DASHBOARD_CSP);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
}

/** Where the built dashboard is: `KLP_DASHBOARD_DIR`, else `apps/dashboard/dist` of this checkout. */
export function dashboardDir(config: Pick<ApiConfig, 'KLP_DASHBOARD_DIR'>): string {
  return path.resolve(config.KLP_DASHBOARD_DIR ?? path.join(__dirname, '../../dashboard/dist'));
}

/**
 * Serves the built dashboard at `/`: its files as they are (public, no token: the data behind them
 * needs one), and `index.html` for any other GET outside the api's own paths, so that a reload of
 * `/hosts/web-01` opens that screen. Does nothing when the dashboard was not built.
 */
export function serveDashboard(app: INestApplication, config: Pick<ApiConfig, 'KLP_DASHBOARD_DIR'>): boolean {
  const dir = dashboardDir(config);
  const index = path.join(dir, 'index.html');
  if (!existsSync(index)) return false;
  const server = app.getHttpAdapter().getInstance() as express.Express;
  const files = express.static(dir, {
    index: false,
    fallthrough: true,
    redirect: false,
    setHeaders: (response, file) => {
      securityHeaders(response);
      // Vite names the assets after their content, so they never change; index.html always may.
      const immutable = file.startsWith(path.join(dir, 'assets') + path.sep);
      response.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  server.use((request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || isApiPath(request.path)) return next();
    files(request, response, () => {
      // A missing asset is a 404, not the app: only page paths fall back to index.html.
      if (request.path.startsWith('/assets/') || !request.accepts('html')) return next();
      securityHeaders(response);
      response.setHeader('Cache-Control', 'no-cache');
      response.sendFile(index);
    });
  });
  return true;
}
