import { type CommandIo, callAdminApi } from './admin-call.js';
import type { HeraldConfig } from './config/herald-config.js';

export const PRESENCE_USAGE = `Usage: herald presence <action> PRESENTITY [WATCHER] [--config FILE]

  presence show alice@example.com                 rules, invisibility and current watchers
  presence approve alice@example.com WATCHER      allow the watcher (a pending one gets the state)
  presence block alice@example.com WATCHER        refuse it (403; a current subscription ends)
  presence polite-block alice@example.com WATCHER let it subscribe, and show it alice closed
  presence confirm alice@example.com WATCHER      hold it pending until approved
  presence remove alice@example.com WATCHER       forget the rule and end its subscriptions
  presence invisible|visible alice@example.com    everyone sees alice closed / her real state

WATCHER is a URI (sip:bob@example.net) or a domain (example.net) for all its users.
Talks to the running server's admin API (admin: in the configuration), so that
subscriptions follow at once.`;

export type PresenceCommandAction = 'show' | 'approve' | 'block' | 'polite-block' | 'confirm' | 'remove' | 'invisible' | 'visible';

export const PRESENCE_ACTIONS: readonly PresenceCommandAction[] = ['show', 'approve', 'block', 'polite-block', 'confirm', 'remove', 'invisible', 'visible'];

export interface PresenceCommand {
  action: PresenceCommandAction;
  presentity: string;
  watcher?: string;
}

const RULE_ACTIONS: Partial<Record<PresenceCommandAction, string>> = { approve: 'allow', block: 'block', 'polite-block': 'polite-block', confirm: 'confirm' };

/**
 * Runs `herald presence …` through the admin API. Returns the exit code: 0 done, 1 the
 * server refused or could not be reached, 2 bad arguments or no admin API configured.
 */
export async function runPresenceCommand(command: PresenceCommand, config: HeraldConfig, io: CommandIo): Promise<0 | 1 | 2> {
  const { action, presentity, watcher } = command;
  const needsWatcher = action !== 'show' && action !== 'invisible' && action !== 'visible';
  if (needsWatcher !== (watcher !== undefined)) {
    io.err(`herald presence ${action}: ${needsWatcher ? 'give the watcher after the presentity' : 'takes the presentity alone'}\n\n${PRESENCE_USAGE}`);
    return 2;
  }
  const base = `/api/presence/${encodeURIComponent(presentity)}`;
  const rule = `${base}/rules/${encodeURIComponent(watcher ?? '')}`;
  const ruleAction = RULE_ACTIONS[action];
  const [method, path, body] =
    ruleAction !== undefined
      ? ['PUT', rule, { action: ruleAction }]
      : action === 'remove'
        ? ['DELETE', rule, undefined]
        : action === 'show'
          ? ['GET', base, undefined]
          : ['PUT', `${base}/invisible`, { invisible: action === 'invisible' }];
  return callAdminApi(config.admin, { method, path, ...(body !== undefined && { body }) }, 'presence', action, io);
}
