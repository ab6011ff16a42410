import { type Entry, Client } from 'ldapts';
import { accountAor, splitAccountAor } from '@herald/store';
import { equalityFilter } from './ldap-filter.js';

/** `directory.ldap:` as read. Defaults are {@link LDAP_DIRECTORY_DEFAULTS}. */
export interface LdapDirectorySettings {
  /** `ldap://host:port` or `ldaps://host:port`. */
  url: string;
  /** Who Herald binds as; anonymous when absent. */
  bindDn?: string;
  bindPassword?: string;
  /** Where the search starts (subtree). */
  baseDn: string;
  /** The attribute naming the account: its user part when `accountDomain` is set, else `user@domain`. */
  accountAttribute: string;
  /** The served domain of every account the directory names by user part alone. */
  accountDomain?: string;
  /** The attribute holding the account's external form, `user@domain` (`mail`). */
  externalAttribute: string;
  /** An extra filter and-ed with every search: `(objectClass=inetOrgPerson)`. */
  filter?: string;
  /** How long an answer (an entry or its absence) is kept, ms; 0 keeps none. */
  cacheTimeMs: number;
  /** How long a connection attempt, the bind or a search may take, ms. */
  timeoutMs: number;
}

export const LDAP_DIRECTORY_DEFAULTS = {
  accountAttribute: 'uid',
  externalAttribute: 'mail',
  cacheTimeMs: 60_000,
  timeoutMs: 5_000,
} as const;

/**
 * The ID conversion mapping as an LDAP directory holds it: one entry per person with the
 * account (`uid: asmith`) and its external form (`mail: Alice_Smith@acme.test`). Each
 * question is one subtree search over an equality filter; a failure (no server, a refused
 * bind, a timeout) rejects, and the connection is made again at the next question.
 * @see RFC 4511 §4.5 (Search), RFC 4515 (filters)
 */
export class LdapDirectory {
  private readonly client: Client;
  private binding: Promise<void> | null = null;

  constructor(private readonly settings: LdapDirectorySettings) {
    // autoRebind: a connection the server closed (idle) is made again bound as before, not anonymous.
    this.client = new Client({ url: settings.url, timeout: settings.timeoutMs, connectTimeout: settings.timeoutMs, autoRebind: true });
  }

  /** The external form (`sip:Alice_Smith@acme.test`) of the account `aor`; undefined unless exactly one entry names the account. */
  async externalOf(aor: string): Promise<string | undefined> {
    const { user, domain } = splitAccountAor(aor);
    const { accountDomain, accountAttribute, externalAttribute } = this.settings;
    if (accountDomain !== undefined && domain !== accountDomain) return undefined;
    const value = await this.onlyValue(accountAttribute, accountDomain === undefined ? `${user}@${domain}` : user, externalAttribute);
    return value === undefined ? undefined : aorOf(value);
  }

  /** The account AoR whose entry holds `alias` (`sip:Alice_Smith@acme.test`) as its external form; undefined unless exactly one does. */
  async accountOf(alias: string): Promise<string | undefined> {
    const { accountDomain, accountAttribute, externalAttribute } = this.settings;
    if (!alias.startsWith('sip:') || !alias.includes('@')) return undefined;
    const value = await this.onlyValue(externalAttribute, alias.slice('sip:'.length), accountAttribute);
    if (value === undefined) return undefined;
    if (accountDomain === undefined) return aorOf(value);
    return value === '' || value.includes('@') ? undefined : accountAor(value, accountDomain);
  }

  async close(): Promise<void> {
    await this.client.unbind().catch(() => undefined);
  }

  /** The first value of `wanted` in the one entry whose `attribute` equals `value`. */
  private async onlyValue(attribute: string, value: string, wanted: string): Promise<string | undefined> {
    await this.bound();
    const { searchEntries } = await this.client.search(this.settings.baseDn, {
      scope: 'sub',
      filter: equalityFilter(attribute, value, this.settings.filter),
      attributes: [wanted],
      timeLimit: Math.ceil(this.settings.timeoutMs / 1000),
    });
    // Two people with one external form (or one account) is the directory's error: neither is chosen.
    if (searchEntries.length !== 1) return undefined;
    return firstValue(searchEntries[0], wanted);
  }

  /** RFC 4511 §4.2: one bind per connection, before any search; none for anonymous access. */
  private async bound(): Promise<void> {
    const { bindDn, bindPassword = '' } = this.settings;
    if (bindDn === undefined || this.client.isBound) return;
    this.binding ??= this.client.bind(bindDn, bindPassword).finally(() => {
      this.binding = null;
    });
    await this.binding;
  }
}

/** Attribute names are case-insensitive (RFC 4512 §2.5); the server may spell them otherwise than asked. */
function firstValue(entry: Entry, attribute: string): string | undefined {
  const name = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const values = name === undefined ? [] : ([] as unknown[]).concat(entry[name]);
  const first = values[0];
  return typeof first === 'string' ? first : Buffer.isBuffer(first) ? first.toString('utf8') : undefined;
}

/** `user@domain` as an AoR in `accountAor`'s form (the domain lower case); undefined for anything else. */
function aorOf(value: string): string | undefined {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1 || /[\s<>"]/.test(value)) return undefined;
  return accountAor(value.slice(0, at), value.slice(at + 1).toLowerCase());
}
