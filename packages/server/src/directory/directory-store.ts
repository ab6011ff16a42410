import type { Store } from '@herald/store';
import type { DirectoryConfig } from '../config/herald-config.js';
import type { Logger } from '../logger.js';
import { DirectoryAliases } from './directory-aliases.js';
import { LdapDirectory } from './ldap-directory.js';

/** The store the services use when `directory:` is configured, and how to close the directory's connection. */
export interface DirectoryStore {
  store: Store;
  close(): Promise<void>;
}

/**
 * `store` with its users answering ID conversion from the LDAP directory too. Only the
 * services see it: the CLI and the admin API manage the store's own aliases.
 */
export function withDirectory(store: Store, config: DirectoryConfig, clock: { now(): number }, logger: Logger): DirectoryStore {
  const directory = new LdapDirectory(config.ldap);
  const users = new DirectoryAliases({ users: store.users, directory, cacheTimeMs: config.ldap.cacheTimeMs, clock, logger, url: config.ldap.url });
  // instrumentStore's store is a plain record of sub-stores, so a copy with other users is the same store.
  return { store: { ...store, users }, close: () => directory.close() };
}
