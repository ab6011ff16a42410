import type { UserRecord, UserStore } from '@herald/store';
import type { Logger } from '../logger.js';
import type { LdapDirectory } from './ldap-directory.js';

/** How long the directory is left alone after a question failed, ms: the SIP path answers "no mapping" at once meanwhile. */
export const DIRECTORY_RETRY_AFTER_MS = 10_000;
/** Answers kept at most per direction; the oldest goes first (requests for made-up users must not grow memory). */
const MAX_ANSWERS = 10_000;

export interface DirectoryAliasesOptions {
  users: UserStore;
  directory: Pick<LdapDirectory, 'externalOf' | 'accountOf'>;
  /** How long an answer (a mapping or its absence) is kept, ms; 0 asks the directory every time. */
  cacheTimeMs: number;
  clock: { now(): number };
  logger: Pick<Logger, 'warn' | 'info'>;
  /** Named in the outage warning. */
  url: string;
  retryAfterMs?: number;
}

interface Answer {
  value: Promise<string | undefined>;
  /** Infinity while the question is out: callers meanwhile share it. */
  expiresAt: number;
}

/**
 * The user store as the services see it when `directory:` is configured: ID conversion's
 * two questions (an account's external form, the account an alias names) are the store's
 * first and the directory's when the store has no answer; everything else is the store's.
 * The directory's answers are kept for `cacheTimeMs`, so the SIP path asks it at most once
 * per name in that time. A directory that cannot be reached is logged once per outage and
 * answers "no mapping" (never an error into the SIP path); it is asked again after
 * `retryAfterMs`.
 */
export class DirectoryAliases implements UserStore {
  private readonly externals = new Map<string, Answer>();
  private readonly accounts = new Map<string, Answer>();
  private retryAt = 0;
  private down = false;

  constructor(private readonly options: DirectoryAliasesOptions) {}

  async externalAliasOf(aor: string): Promise<string | undefined> {
    const own = await this.options.users.externalAliasOf(aor);
    return own ?? this.ask(this.externals, aor, (key) => this.options.directory.externalOf(key));
  }

  async resolveAlias(alias: string): Promise<string | undefined> {
    const own = await this.options.users.resolveAlias(alias);
    return own ?? this.ask(this.accounts, alias, (key) => this.options.directory.accountOf(key));
  }

  get(user: string, domain: string): Promise<UserRecord | undefined> {
    return this.options.users.get(user, domain);
  }

  put(record: UserRecord): Promise<void> {
    return this.options.users.put(record);
  }

  delete(user: string, domain: string): Promise<boolean> {
    return this.options.users.delete(user, domain);
  }

  list(domain?: string): Promise<UserRecord[]> {
    return this.options.users.list(domain);
  }

  addAlias(alias: string, aor: string): Promise<void> {
    return this.options.users.addAlias(alias, aor);
  }

  removeAlias(alias: string): Promise<boolean> {
    return this.options.users.removeAlias(alias);
  }

  aliasesOf(aor: string): Promise<string[]> {
    return this.options.users.aliasesOf(aor);
  }

  setExternalAlias(aor: string, alias: string | null): Promise<void> {
    return this.options.users.setExternalAlias(aor, alias);
  }

  private ask(answers: Map<string, Answer>, key: string, lookUp: (key: string) => Promise<string | undefined>): Promise<string | undefined> {
    const { clock, cacheTimeMs } = this.options;
    const now = clock.now();
    const kept = answers.get(key);
    if (kept !== undefined && kept.expiresAt > now) return kept.value;
    answers.delete(key);
    if (now < this.retryAt) return Promise.resolve(undefined);
    const value = lookUp(key).then(
      (found) => {
        this.answered();
        const answer = answers.get(key);
        if (answer?.value === value) answer.expiresAt = clock.now() + cacheTimeMs;
        return found;
      },
      (error: unknown) => {
        if (answers.get(key)?.value === value) answers.delete(key);
        this.failed(error);
        return undefined;
      },
    );
    if (cacheTimeMs > 0) {
      answers.set(key, { value, expiresAt: Infinity });
      if (answers.size > MAX_ANSWERS) answers.delete(answers.keys().next().value!);
    }
    return value;
  }

  private answered(): void {
    if (!this.down) return;
    this.down = false;
    this.options.logger.info('directory: the LDAP server answers again; ID conversion reads it again', { url: this.options.url });
  }

  private failed(error: unknown): void {
    this.retryAt = this.options.clock.now() + (this.options.retryAfterMs ?? DIRECTORY_RETRY_AFTER_MS);
    if (this.down) return;
    this.down = true;
    this.options.logger.warn('directory: the LDAP server cannot be asked; ID conversion uses the store alone until it answers (answers kept from before still count)', {
      url: this.options.url,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
