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
   * An alias names one account; adding it again moves it.
   */
  addAlias(alias: string, aor: string): Promise<void>;
  removeAlias(alias: string): Promise<boolean>;
  /** The AoR `alias` stands for, `undefined` when it is no alias. */
  resolveAlias(alias: string): Promise<string | undefined>;
  /** The aliases of an AoR, sorted. */
  aliasesOf(aor: string): Promise<string[]>;
}
