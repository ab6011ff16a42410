import { canonicalAor } from '@herald/proxy';
import { parseUri } from '@herald/sip';
import { NotAnAliasError, type UserStore, accountAor, splitAccountAor } from '@herald/store';
import { userNameProblem } from './account-name.js';
import { parseAccountAddress } from './accounts.js';

/** Why an alias change was refused; the admin API answers each with its own status. */
export type AliasRefusalReason = 'bad-address' | 'no-such-user' | 'not-served' | 'is-an-account' | 'taken' | 'no-such-alias';

/** An alias change that cannot be made as asked; the message is one line for the operator. */
export class AliasRefusal extends Error {
  constructor(
    readonly reason: AliasRefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'AliasRefusal';
  }
}

/** One alias, the account it names, and whether it is that account's external form. */
export interface AliasEntry {
  alias: string;
  account: string;
  external: boolean;
}

/** The aliases of one account (sorted) and its external form. */
export interface AccountAliases {
  account: string;
  aliases: string[];
  external: string | null;
}

/**
 * What the operator's alias changes act on, from `herald user alias` and the admin API
 * alike: the accounts and the served domains. Addresses are parsed into canonical AoRs
 * and checked so that an alias stays reachable and names one account.
 */
export interface AliasContext {
  users: UserStore;
  domains: readonly string[];
}

/** The account's aliases and external form; refused when there is no such account. */
export async function aliasesOfAccount(ctx: AliasContext, accountText: string): Promise<AccountAliases> {
  const account = await existingAccount(ctx, accountText);
  const [aliases, external] = await Promise.all([ctx.users.aliasesOf(account), ctx.users.externalAliasOf(account)]);
  return { account, aliases, external: external ?? null };
}

/**
 * Every alias of every account, by account (domain, then user) then alias. One read of the
 * account list, then two per account: meant for an operator, not for polling.
 */
export async function everyAlias(users: UserStore): Promise<AliasEntry[]> {
  const accounts = (await users.list()).map((u) => accountAor(u.user, u.domain));
  const entries: AliasEntry[] = [];
  // Issued together, so that Redis pipelines them instead of one round trip each.
  const read = await Promise.all(accounts.map(async (account) => ({ account, aliases: await users.aliasesOf(account), external: await users.externalAliasOf(account) })));
  for (const { account, aliases, external } of read) {
    for (const alias of aliases) entries.push({ alias, account, external: alias === external });
  }
  return entries;
}

/** The entries of one account's aliases, in the shape `everyAlias` lists them. */
export function aliasEntries({ account, aliases, external }: AccountAliases): AliasEntry[] {
  return aliases.map((alias) => ({ alias, account, external: alias === external }));
}

/**
 * Makes `aliasText` an alias of the account. The account must exist; the alias must be in
 * a served domain (else no request could ever reach it), must not be an account itself,
 * and must not be another account's alias already (moving one is a delete, then an add).
 * `external`: true marks it as the account's external form, false takes the mark off it
 * when it has it, absent leaves the mark as it is. Adding an alias the account has is no
 * change. `created`: whether the alias is new.
 */
export async function addAlias(ctx: AliasContext, aliasText: string, accountText: string, external?: boolean): Promise<{ entry: AliasEntry; created: boolean }> {
  const alias = aliasAddress(aliasText, ctx.domains);
  const account = await existingAccount(ctx, accountText);
  const { user, domain } = splitAccountAor(alias);
  if (!ctx.domains.includes(domain)) {
    throw new AliasRefusal('not-served', `${domain} is not a served domain, so no request could reach ${alias}: add ${domain} to domains in the configuration, or choose an alias in ${ctx.domains.join(', ')}`);
  }
  if ((await ctx.users.get(user, domain)) !== undefined) throw new AliasRefusal('is-an-account', `${alias} is an account itself; an alias must be a name no account has`);
  const owner = await ctx.users.resolveAlias(alias);
  if (owner !== undefined && owner !== account) throw new AliasRefusal('taken', `${alias} is already an alias of ${owner}; remove it from ${owner} first`);
  // DEVIATION: the store has no add-if-absent, so an alias two operators give two accounts
  // at once ends with the later one (the store keeps it consistent either way).
  if (owner === undefined) await ctx.users.addAlias(alias, account);
  const marked = (await ctx.users.externalAliasOf(account)) === alias;
  if (external === true && !marked) await markExternal(ctx.users, account, alias);
  if (external === false && marked) await ctx.users.setExternalAlias(account, null);
  return { entry: { alias, account, external: external ?? marked }, created: owner === undefined };
}

/** Removes an alias (of `accountText` when given: refused when it names another); resolves with what it was. */
export async function removeAlias(ctx: AliasContext, aliasText: string, accountText?: string): Promise<AliasEntry> {
  const alias = aliasAddress(aliasText, ctx.domains);
  const account = accountText === undefined ? undefined : accountAddress(accountText, ctx.domains);
  const owner = await ctx.users.resolveAlias(alias);
  if (owner === undefined || (account !== undefined && owner !== account)) throw noSuchAlias(alias, account);
  const external = (await ctx.users.externalAliasOf(owner)) === alias;
  if (!(await ctx.users.removeAlias(alias))) throw noSuchAlias(alias, account);
  return { alias, account: owner, external };
}

/** Marks one of the account's aliases as its external form, or with `null` clears the mark. */
export async function setExternalAlias(ctx: AliasContext, accountText: string, aliasText: string | null): Promise<AccountAliases> {
  const account = await existingAccount(ctx, accountText);
  if (aliasText === null) await ctx.users.setExternalAlias(account, null);
  else await markExternal(ctx.users, account, aliasAddress(aliasText, ctx.domains));
  return aliasesOfAccount(ctx, account);
}

async function markExternal(users: UserStore, account: string, alias: string): Promise<void> {
  try {
    await users.setExternalAlias(account, alias);
  } catch (e) {
    if (e instanceof NotAnAliasError) throw noSuchAlias(alias, account);
    throw e;
  }
}

function noSuchAlias(alias: string, account: string | undefined): AliasRefusal {
  return new AliasRefusal('no-such-alias', account === undefined ? `${alias} is not an alias` : `${alias} is not an alias of ${account}`);
}

/** The canonical AoR of an existing account given as `user@domain` or `sip:user@domain`. */
async function existingAccount(ctx: AliasContext, text: string): Promise<string> {
  const account = accountAddress(text, ctx.domains);
  const { user, domain } = splitAccountAor(account);
  if ((await ctx.users.get(user, domain)) === undefined) throw new AliasRefusal('no-such-user', `there is no account ${user}@${domain}`);
  return account;
}

function accountAddress(text: string, domains: readonly string[]): string {
  const account = parseAccountAddress(text);
  if (account === undefined) throw new AliasRefusal('bad-address', `"${text}" is not an account address; give user@domain, e.g. alice@${domains[0] ?? 'example.com'}`);
  return accountAor(account.user, account.domain);
}

/**
 * An alias as the location service will look it up: the AoR of the Request-URI, user
 * part unescaped, host lower case (`canonicalAor`).
 * @see RFC 3261 §10.3 step 5
 */
function aliasAddress(text: string, domains: readonly string[]): string {
  let aor: string | undefined;
  try {
    aor = canonicalAor(parseUri(/^sips?:/i.test(text) ? text : `sip:${text}`));
  } catch {
    aor = undefined;
  }
  if (aor === undefined || userNameProblem(splitAccountAor(aor).user) !== null) {
    throw new AliasRefusal('bad-address', `"${text}" is not an alias address; give user@domain, e.g. alice.smith@${domains[0] ?? 'example.com'}`);
  }
  return aor;
}
