import { PassThrough } from 'node:stream';
import { COMMUNITY_DEFAULTS, type CommunitySettings, DEFAULT_COMMUNITIES, DEFAULT_FEDERATION } from '@herald/proxy';
import type { Store } from '@herald/store';
import { type AdminServer, type AdminServerOptions, startAdminServer } from '../../src/admin/admin-server.js';
import { federationPolicy } from '../../src/federation/federation-policy-of.js';
import { createLogger } from '../../src/logger.js';

/** The token the admin servers of the unit tests take. */
export const TEST_ADMIN_TOKEN = 'an-admin-token-of-some-length';

/** An admin server on 127.0.0.1 (a port the system chooses) over `store`, with no federation peers or communities unless `options` give them. */
export function startTestAdminServer(store: Store, options: Partial<Omit<AdminServerOptions, 'store'>> = {}): Promise<AdminServer> {
  return startAdminServer({
    admin: { host: '127.0.0.1', port: 0, token: TEST_ADMIN_TOKEN },
    store,
    metrics: async () => ({ contentType: 'text/plain', body: '' }),
    federation: federationPolicy({ federation: DEFAULT_FEDERATION, routes: [] }),
    communities: DEFAULT_COMMUNITIES,
    logger: createLogger({ level: 'error', format: 'json' }, new PassThrough()),
    domains: ['example.com'],
    ...options,
  });
}

/** A gateway community as the configuration reader makes it: `name`.test and its subdomains, two connectors, probed every 10 s. */
export function testCommunity(name: string, overrides: Partial<CommunitySettings> = {}): CommunitySettings {
  return { ...COMMUNITY_DEFAULTS, name, domains: [`${name}.test`, `*.${name}.test`], proxies: [`sip:gw1.${name}.test`, `sip:gw2.${name}.test`], ...overrides };
}
