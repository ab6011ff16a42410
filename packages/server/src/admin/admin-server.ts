import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CommunitiesSettings, FederationPolicy } from '@herald/proxy';
import { hostPort } from '@herald/stack';
import { STORE_RETRY_AFTER_SECONDS, type Store, StoreUnavailableError } from '@herald/store';
import type { AdminConfig } from '../config/herald-config.js';
import type { Logger } from '../logger.js';
import type { MetricsText } from '../metrics/herald-metrics.js';
import { AdminError, badPath, methodNotAllowed, notFound, unauthorized } from './admin-error.js';
import { bearerMatches, sendJson } from './admin-http.js';
import type { AdminContext } from './admin-route.js';
import { API_PREFIX, matchRoute } from './admin-routes.js';

export interface AdminServerOptions {
  admin: AdminConfig;
  store: Store;
  /** The Prometheus exposition `/metrics` serves. */
  metrics: () => Promise<MetricsText>;
  /** The federation policy `GET /api/federation` describes. */
  federation: Pick<FederationPolicy, 'describe'>;
  /** The gateway communities `/api/communities` describes and switches. */
  communities: CommunitiesSettings;
  logger: Logger;
  /** Served domains: an account created through the API must be in one. */
  domains: readonly string[];
  /** ms since the epoch; defaults to `Date.now`. */
  now?: () => number;
}

export interface AdminServer {
  /** The bound port (the configured one, or the one the system chose for port 0). */
  port: number;
  /** `http://HOST:PORT`, for logs. */
  url: string;
  close(): Promise<void>;
}

/** A client has this long to send a whole request. */
const REQUEST_TIMEOUT_MS = 30_000;
/** How long `close()` lets requests in progress finish. */
const CLOSE_GRACE_MS = 1000;

/**
 * Starts the admin HTTP API (`/api/…`, bearer token), `/metrics` and `/healthz` on
 * `admin.host:admin.port`.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const { admin, logger } = options;
  const ctx: AdminContext = { store: options.store, domains: options.domains, metrics: options.metrics, federation: options.federation, communities: options.communities, logger, now: options.now ?? Date.now };
  const server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => {
    handle(ctx, admin.token, req, res).catch((e: unknown) => answerError(logger, req, res, e));
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (e: Error): void => reject(new Error(`the admin server cannot listen on ${hostPort(admin.host, admin.port)} (admin.listen): ${e.message}`, { cause: e }));
    server.once('error', failed);
    server.listen(admin.port, admin.host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  server.on('error', (e) => logger.error('admin server failed', { error: e }));
  const { port } = server.address() as AddressInfo;
  const url = `http://${hostPort(admin.host, port)}`;
  logger.info('admin listening', { url, port });
  return { port, url, close: () => close(server) };
}

async function handle(ctx: AdminContext, token: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(req.url ?? '/');
  const path = url.pathname;
  if ((path.startsWith(API_PREFIX) || path === '/api') && !bearerMatches(req.headers.authorization, token)) throw unauthorized();
  const match = matchRoute(path);
  if (match === undefined) throw notFound(path);
  const method = req.method ?? 'GET';
  const handler = match.route.methods[method];
  if (handler === undefined) throw methodNotAllowed(method, Object.keys(match.route.methods));
  if (ctx.logger.isDebugEnabled()) ctx.logger.debug('admin request', { method, path });
  await handler(ctx, { req, params: match.params, query: url.searchParams }, res);
}

function requestUrl(target: string): URL {
  try {
    return new URL(target, 'http://admin');
  } catch {
    throw badPath(target);
  }
}

/** The one place failures become responses: typed errors as they say, a store outage 503, anything else 500. */
function answerError(logger: Logger, req: IncomingMessage, res: ServerResponse, e: unknown): void {
  // An unread body is drained, so that a keep-alive connection stays usable.
  if (!req.complete) req.resume();
  if (res.headersSent) {
    logger.warn('admin response failed after it began', { path: req.url, error: e });
    res.destroy();
    return;
  }
  if (e instanceof AdminError) {
    sendJson(res, e.status, { error: { code: e.code, message: e.message } }, e.headers);
    return;
  }
  if (e instanceof StoreUnavailableError) {
    logger.warn('admin: store unavailable', { method: req.method, path: req.url, error: e.message });
    sendJson(res, 503, { error: { code: 'HERALD_ERR_ADMIN_STORE_UNAVAILABLE', message: `the store is unavailable: ${e.message}` } }, { 'Retry-After': String(STORE_RETRY_AFTER_SECONDS) });
    return;
  }
  logger.error('admin request failed', { method: req.method, path: req.url, error: e });
  sendJson(res, 500, { error: { code: 'HERALD_ERR_ADMIN_INTERNAL', message: 'internal error; see the server log' } });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    // A request still being read or answered gets a moment, not the whole request timeout.
    setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
  });
}
