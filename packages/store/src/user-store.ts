/**
 * A user account. The password is never stored: only the digest HA1 values, for the
 * realm the user's domain names.
 * @see RFC 3261 §22.4, RFC 7616 §3.4.2
 */
export interface UserRecord {
  /** The user part, as the digest `username` carries it (`alice`). */
  user: string;
  /** The domain, lower case, which is also the digest realm (`example.com`). */
  domain: string;
  /** hex MD5(user ":" realm ":" password) */
  ha1Md5: string;
  /** hex SHA-256(user ":" realm ":" password) */
  ha1Sha256: string;
  /** ms since the epoch. */
  createdAt: number;
  updatedAt: number;
}

/**
 * The AoR of an account, in the canonical form the registrar keys bindings by: `sip:`,
 * the user part unescaped, the domain. The aliases an account owns hang off this.
 * @see RFC 3261 §10.3 step 5
 */
export function accountAor(user: string, domain: string): string {
  return `sip:${user}@${domain}`;
}

/** The user and domain of an AoR in the form `accountAor` writes. */
export function splitAccountAor(aor: string): { user: string; domain: string } {
  const at = aor.lastIndexOf('@');
  return { user: aor.slice(aor.indexOf(':') + 1, at), domain: aor.slice(at + 1) };
}

/** Accounts and their aliases; durable. */
export interface UserStore {
  get(user: string, domain: string): Promise<UserRecord | undefined>;
  /** Creates or replaces the account. */
  put(record: UserRecord): Promise<void>;
  /** Removes the account and its aliases; false when there was none. */
  delete(user: string, domain: string): Promise<boolean>;
  /** Every account, or those of one domain, ordered by domain then user. */
  list(domain?: string): Promise<UserRecord[]>;
  /**
   * Makes `alias` (an AoR, `sip:bob.smith@example.com`) another name of the account's AoR.
   * An alias names one account; adding it again moves it (and drops its external mark).
   */
  addAlias(alias: string, aor: string): Promise<void>;
  removeAlias(alias: string): Promise<boolean>;
  /** The AoR `alias` stands for, `undefined` when it is no alias. */
  resolveAlias(alias: string): Promise<string | undefined>;
  /** The aliases of an AoR, sorted. */
  aliasesOf(aor: string): Promise<string[]>;
  /**
   * Marks `alias` (an alias of the account `aor`) as the form users of a `convertIds` gateway community see the account by, or with `null` clears the mark. One per account: marking another moves it. Rejects when `alias` is not an alias of `aor`.
   */
  setExternalAlias(aor: string, alias: string | null): Promise<void>;
  /** The account's external form, `undefined` when none is marked. */
  externalAliasOf(aor: string): Promise<string | undefined>;
}

/**
 * `setExternalAlias` was asked to mark a name that is no alias of the account (never
 * added, removed meanwhile, or another account's).
 */
export class NotAnAliasError extends Error {
  readonly code = 'HERALD_ERR_STORE_NOT_AN_ALIAS';
  constructor(
    readonly alias: string,
    readonly aor: string,
  ) {
    super(`${alias} is not an alias of ${aor}`);
    this.name = 'NotAnAliasError';
  }
}
