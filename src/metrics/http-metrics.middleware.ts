import type { NextFunction, Request, Response } from 'express';
import type { ChatMetrics } from './chat-metrics.js';

/**
 * Counts every HTTP request once its response is sent, by route pattern (`/history/:with`, never
 * the path itself), method and status. Requests no route matched are "static" when a file
 * answered them and "unmatched" otherwise (404s, refusals before routing), so any path a
 * scanner tries adds no series.
 */
export function httpMetrics(metrics: ChatMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.once('finish', () => {
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route =
        typeof pattern === 'string' ? pattern : res.statusCode < 400 ? 'static' : 'unmatched';
      metrics.httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
    });
    next();
  };
}
