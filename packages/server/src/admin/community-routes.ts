import type { ServerResponse } from 'node:http';
import { type CommunitiesSettings, type CommunitySettings, type CommunityState, CommunitySwitch, type RuntimeCommunityStates } from '@herald/proxy';
import { type WorkerCommunityReport, collectCommunityReports } from '../communities/community-reports.js';
import { readCommunityStates, setCommunityState } from '../communities/community-states.js';
import type { ConnectorHealth } from '../communities/connector-prober.js';
import { invalidField, noSuchCommunity } from './admin-error.js';
import { readJsonObject, sendJson } from './admin-http.js';
import type { AdminContext, AdminRequest, AdminRoute } from './admin-route.js';

/** The global switch: as configured, as set at run time (`null`: not set), and what is obeyed. */
export interface GlobalSwitchView {
  configured: boolean;
  runtime: boolean | null;
  effective: boolean;
}

/** What one connector's probes found: the latest check of any worker, and each worker's own. */
export interface ConnectorView {
  connector: string;
  up: boolean | null;
  lastStatus: number | null;
  lastCheckedAt: string | null;
  workers: Array<{ worker: string; up: boolean | null; lastStatus: number | null; lastCheckedAt: string | null }>;
}

/** A community as `GET /api/communities` shows it. */
export interface CommunityView extends CommunityState {
  domains: readonly string[];
  proxies: readonly string[];
  transport: string | null;
  level: string;
  convertIds: boolean;
  /** Seconds between probes of each connector; 0: not probed. */
  probeInterval: number;
  connectors: ConnectorView[];
}

/** `/api/communities`: the gateway communities, their run-time switches and their connectors' health. */
export const COMMUNITY_ROUTES: readonly AdminRoute[] = [
  { pattern: /^\/api\/communities$/, methods: { GET: showCommunities } },
  { pattern: /^\/api\/communities\/enabled$/, methods: { PUT: switchAll, DELETE: switchAll } },
  { pattern: /^\/api\/communities\/([^/]+)\/enabled$/, methods: { PUT: switchCommunity, DELETE: switchCommunity } },
];

/**
 * The global switch and every community: configured and run-time switches, what it obeys,
 * its domains, connectors and policy; then what every worker of every node answers within a
 * second: the switches it applies and its probes of the connectors.
 */
async function showCommunities(ctx: AdminContext, _r: AdminRequest, res: ServerResponse): Promise<void> {
  const [states, { reports, asked }] = await Promise.all([readCommunityStates(ctx.store.settings), collectCommunityReports(ctx.store.bus)]);
  const settings = ctx.communities;
  sendJson(res, 200, {
    enabled: globalView(settings, states),
    communities: describe(settings, states).map((state, i) => communityView(settings.list[i], state, reports)),
    workers: reports.map(({ worker, all, communities }) => ({ worker, all, enabled: communities.filter((c) => c.enabled).map((c) => c.name) })),
    unanswered: asked - reports.length,
  });
}

/**
 * `PUT {"enabled": false}` turns every community off (and `true` back on) whatever their own
 * switches say; `DELETE` forgets the run-time switch, so that `communities.enabled` of the
 * configuration counts again. Answers with the global switch now.
 */
async function switchAll(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const enabled = await requestedSwitch(r);
  const states = await setCommunityState(ctx.store, 'all', enabled);
  ctx.logger.info('admin: global community switch set', { enabled });
  sendJson(res, 200, { enabled: globalView(ctx.communities, states) });
}

/**
 * `PUT {"enabled": true|false}` switches one community on or off at run time, on every worker
 * at once; `DELETE` forgets the run-time switch (its configured `enabled` counts again).
 * Answers with the community's state now.
 */
async function switchCommunity(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const name = r.params[0];
  const index = ctx.communities.list.findIndex((c) => c.name === name);
  if (index < 0) throw noSuchCommunity(name, ctx.communities.list.map((c) => c.name));
  const enabled = await requestedSwitch(r);
  const states = await setCommunityState(ctx.store, { community: name }, enabled);
  ctx.logger.info('admin: community switch set', { community: name, enabled });
  sendJson(res, 200, { enabled: globalView(ctx.communities, states), community: describe(ctx.communities, states)[index] });
}

/** The switch a request asks for: PUT's `enabled`, or `null` (forget it) for DELETE. */
async function requestedSwitch(r: AdminRequest): Promise<boolean | null> {
  if (r.req.method === 'DELETE') return null;
  const { enabled } = await readJsonObject(r.req);
  if (typeof enabled !== 'boolean') throw invalidField('enabled', 'is true (switch on) or false (switch off); DELETE forgets the run-time switch');
  return enabled;
}

function describe(settings: CommunitiesSettings, states: RuntimeCommunityStates): CommunityState[] {
  const communities = new CommunitySwitch(settings);
  communities.useRuntimeStates(states);
  return communities.describe();
}

function globalView(settings: CommunitiesSettings, states: RuntimeCommunityStates): GlobalSwitchView {
  return { configured: settings.enabled, runtime: states.all ?? null, effective: states.all ?? settings.enabled };
}

function communityView(c: CommunitySettings, state: CommunityState, reports: readonly WorkerCommunityReport[]): CommunityView {
  return {
    ...state,
    domains: c.domains,
    proxies: c.proxies,
    transport: c.transport,
    level: c.level,
    convertIds: c.convertIds,
    probeInterval: c.probeIntervalMs / 1000,
    connectors: c.proxies.map((connector) => connectorView(c.name, connector, reports)),
  };
}

function connectorView(community: string, connector: string, reports: readonly WorkerCommunityReport[]): ConnectorView {
  const workers = reports.flatMap(({ worker, connectors }) => {
    const h = connectors.find((h) => h.community === community && h.connector === connector);
    return h === undefined ? [] : [{ worker, ...healthView(h) }];
  });
  const latest = reports
    .flatMap((r) => r.connectors.filter((h) => h.community === community && h.connector === connector && h.lastCheckedAt !== null))
    .reduce<ConnectorHealth | null>((a, h) => (a === null || h.lastCheckedAt! > a.lastCheckedAt! ? h : a), null);
  return { connector, ...(latest === null ? { up: null, lastStatus: null, lastCheckedAt: null } : healthView(latest)), workers };
}

function healthView(h: ConnectorHealth): { up: boolean | null; lastStatus: number | null; lastCheckedAt: string | null } {
  return { up: h.up, lastStatus: h.lastStatus, lastCheckedAt: h.lastCheckedAt === null ? null : new Date(h.lastCheckedAt).toISOString() };
}
