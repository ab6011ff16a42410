import { type CommandIo, callAdminApi } from './admin-call.js';
import type { HeraldConfig } from './config/herald-config.js';

export const FEDERATION_USAGE = `Usage: herald federation <action> [ENTRY] [--config FILE]

  federation show             the default level, the allow and block lists (each entry
                              from the configuration or added here), the peers, and the
                              live TLS flows of every worker with their peers' identities
  federation block ENTRY      refuse ENTRY's requests, both ways (every worker at once)
  federation unblock ENTRY    take ENTRY off the block list again
  federation allow ENTRY      add ENTRY to the allow list (a non-empty one lets only its
                              entries in)
  federation unallow ENTRY    take ENTRY off the allow list again

ENTRY is a domain (peer.example), its subdomains ("*.peer.example", quoted for the
shell), an IP address (192.0.2.10) or a CIDR range (198.51.100.0/24). The changes are
kept in the store on top of federation: in the configuration, whose entries are changed
there. Talks to the running server's admin API (admin: in the configuration).`;

export type FederationCommandAction = 'show' | 'allow' | 'unallow' | 'block' | 'unblock';

export const FEDERATION_ACTIONS: readonly FederationCommandAction[] = ['show', 'allow', 'unallow', 'block', 'unblock'];

export interface FederationCommand {
  action: FederationCommandAction;
  entry?: string;
}

/**
 * Runs `herald federation …` through the admin API. Returns the exit code: 0 done, 1 the
 * server refused or could not be reached, 2 bad arguments or no admin API configured.
 */
export async function runFederationCommand({ action, entry }: FederationCommand, config: HeraldConfig, io: CommandIo): Promise<0 | 1 | 2> {
  if ((action === 'show') !== (entry === undefined)) {
    io.err(`herald federation ${action}: ${action === 'show' ? 'takes no entry' : 'give one entry: a domain, "*.domain", an address or a CIDR range'}\n\n${FEDERATION_USAGE}`);
    return 2;
  }
  if (entry === undefined) return callAdminApi(config.admin, { method: 'GET', path: '/api/federation' }, 'federation', action, io);
  const list = action.endsWith('allow') ? 'allow' : 'block';
  const path = `/api/federation/${list}/${encodeURIComponent(entry)}`;
  const call = action.startsWith('un') ? { method: 'DELETE', path, done: `"${entry}" is off the run-time ${list} list` } : { method: 'PUT', path };
  return callAdminApi(config.admin, call, 'federation', action, io);
}
