import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CommunitiesSettings, FederationPolicy } from '@herald/proxy';
import type { Store } from '@herald/store';
import type { Logger } from '../logger.js';
import type { MetricsText } from '../metrics/herald-metrics.js';

/** What the endpoints act on. */
export interface AdminContext {
  store: Store;
  /** The served domains: new accounts must be in one. */
  domains: readonly string[];
  metrics: () => Promise<MetricsText>;
  /** The federation policy: its level, configured lists and peers. */
  federation: Pick<FederationPolicy, 'describe'>;
  /** The gateway communities as configured (`communities:`); their run-time switches are in the store. */
  communities: CommunitiesSettings;
  logger: Logger;
  /** ms since the epoch. */
  now: () => number;
}

/** One request, matched to a route: `params` are the route's captures, URL-decoded. */
export interface AdminRequest {
  req: IncomingMessage;
  params: string[];
  query: URLSearchParams;
}

export type AdminHandler = (ctx: AdminContext, r: AdminRequest, res: ServerResponse) => Promise<void>;

export interface AdminRoute {
  /** Matched against the raw (still percent-encoded) path. */
  pattern: RegExp;
  methods: Readonly<Partial<Record<string, AdminHandler>>>;
}
