import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { isHealthProbe } from '../health/health-paths.js';
import { sanitizeUrl } from './redaction.js';

type LoggedRequest = IncomingMessage &
  Partial<Pick<Request, 'originalUrl' | 'ip'>> & {
    /** Express's matched route, and the user JwtGuard authenticated. */
    route?: { path?: string };
    user?: { username?: string };
  };

/** The request's path and query as received, its token (if any) replaced. */
function urlOf(req: LoggedRequest): string | undefined {
  return sanitizeUrl(req.originalUrl ?? req.url);
}

/**
 * One line per HTTP request, when its response is finished (or the client went away): the
 * request id (also sent back as X-Request-Id), method, route and URL (token replaced), status,
 * duration (`responseTime`, ms), the user when the request was authenticated, the address.
 * Headers and bodies are left out altogether: they hold the Authorization header, cookies and
 * passwords.
 */
export function httpLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // Health probes at debug, whatever they answer: a balancer probes every few seconds, and a
    // failed readiness says nothing the database's or Redis's own warnings do not.
    customLogLevel: (req, res, error) =>
      isHealthProbe(req.url)
        ? 'debug'
        : error || res.statusCode >= 500
          ? 'error'
          : res.statusCode >= 400
            ? 'warn'
            : 'info',
    customSuccessMessage: (req, res) => `${req.method} ${urlOf(req)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${urlOf(req)} ${res.statusCode}`,
    customAttributeKeys: { responseTime: 'durationMs' },
    // Read when the response is finished: by then the guard has set req.user and Express the route.
    customProps: (req: LoggedRequest) => ({ route: req.route?.path, user: req.user?.username }),
    serializers: {
      req: (req: { id: unknown; method: string; raw: LoggedRequest }) => ({
        id: req.id,
        method: req.method,
        url: urlOf(req.raw),
        address: req.raw.ip ?? req.raw.socket?.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    wrapSerializers: true,
  });
}
