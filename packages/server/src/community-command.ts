import { type CommandIo, callAdminApi } from './admin-call.js';
import type { CommunityView, GlobalSwitchView } from './admin/community-routes.js';
import type { HeraldConfig } from './config/herald-config.js';

export const COMMUNITY_USAGE = `Usage: herald community <action> [NAME | --all] [--config FILE]

  community list [--json]       every gateway community: switched on or not and why
                                (config, runtime, or the global switch), its domains, and
                                its connectors up and down as the workers' probes found
  community enable NAME         switch the community on (every worker at once)
  community disable NAME        switch it off: its requests are refused both ways (403)
  community reset NAME          forget the run-time switch: the configuration's enabled
                                counts again
  community enable|disable|reset --all
                                the global switch: off turns every community off, whatever
                                its own switch says

NAME is a community's name in communities.list. The switches are kept in the store on
top of the configuration and outlive a restart. Talks to the running server's admin API
(admin: in the configuration).`;

export type CommunityCommandAction = 'list' | 'enable' | 'disable' | 'reset';

export const COMMUNITY_ACTIONS: readonly CommunityCommandAction[] = ['list', 'enable', 'disable', 'reset'];

/** The options `herald community` takes besides `--config`. */
export const COMMUNITY_FLAGS = ['all', 'json'] as const;

export interface CommunityCommand {
  action: CommunityCommandAction;
  /** A community's name, or `all` (`--all`) for the global switch. */
  target?: { community: string } | 'all';
  /** `list`: the admin API's JSON as it is. */
  json?: boolean;
}

/** What is wrong with `herald community ACTION` given these arguments; `null` when nothing is. */
export function communityCommandProblem(action: CommunityCommandAction, positional: readonly string[], flags: ReadonlySet<string>): string | null {
  if (action === 'list') return positional.length > 0 || flags.has('all') ? 'takes no name' : null;
  if (flags.has('json')) return '--json goes with list';
  if (flags.has('all') === (positional.length === 1) || positional.length > 1) return 'give one community name, or --all for the global switch';
  return null;
}

const SWITCHES: Record<Exclude<CommunityCommandAction, 'list'>, boolean | null> = { enable: true, disable: false, reset: null };

/**
 * Runs `herald community …` through the admin API. Returns the exit code: 0 done, 1 the
 * server refused or could not be reached, 2 no admin API configured.
 */
export function runCommunityCommand({ action, target, json }: CommunityCommand, config: HeraldConfig, io: CommandIo): Promise<0 | 1 | 2> {
  if (action === 'list') {
    return callAdminApi(config.admin, { method: 'GET', path: '/api/communities', ...(json !== true && { format: (body) => communityTable(body as CommunityList) }) }, 'community', action, io);
  }
  const enabled = SWITCHES[action];
  const path = target === 'all' || target === undefined ? '/api/communities/enabled' : `/api/communities/${encodeURIComponent(target.community)}/enabled`;
  const format = (body: unknown): string => {
    const { enabled: all, community } = body as { enabled: GlobalSwitchView; community?: CommunityView };
    return community === undefined ? `all communities: ${globalLine(all)}` : `${community.name}: ${community.enabled ? 'enabled' : 'disabled'} (${source(community, all)})`;
  };
  return callAdminApi(config.admin, { method: enabled === null ? 'DELETE' : 'PUT', path, ...(enabled !== null && { body: { enabled } }), format }, 'community', action, io);
}

interface CommunityList {
  enabled: GlobalSwitchView;
  communities: CommunityView[];
  unanswered: number;
}

/** `herald community list`: the global switch, then one row per community. */
export function communityTable({ enabled, communities, unanswered }: CommunityList): string {
  const rows = communities.map((c) => [c.name, c.enabled ? 'yes' : 'no', source(c, enabled), c.domains.join(' '), connectorsCell(c)]);
  const table = [['NAME', 'ENABLED', 'SOURCE', 'DOMAINS', 'CONNECTORS'], ...rows];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const lines = table.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '));
  const notes = [...(communities.length === 0 ? ['no community is configured (communities.list)'] : []), ...(unanswered > 0 ? [`${unanswered} worker(s) did not answer: their probes are not shown`] : [])];
  return [`all communities: ${globalLine(enabled)}`, '', ...lines, ...notes].join('\n');
}

function globalLine(g: GlobalSwitchView): string {
  return `${g.effective ? 'on' : 'off'} (${g.runtime === null ? 'config' : 'runtime'})`;
}

/** Why a community is on or off: the global switch (off), its run-time switch, or the configuration. */
function source(c: Pick<CommunityView, 'runtime'>, all: GlobalSwitchView): string {
  if (!all.effective) return 'global switch';
  return c.runtime === null ? 'config' : 'runtime';
}

function connectorsCell(c: CommunityView): string {
  if (c.connectors.length === 0) return '- (DNS)';
  const count = (up: boolean | null) => c.connectors.filter((k) => k.up === up).length;
  const unknown = count(null);
  return `${count(true)} up, ${count(false)} down${unknown > 0 ? `, ${unknown} not probed` : ''}`;
}
