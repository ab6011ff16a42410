import { openStore } from '@herald/store';
import { type AliasContext, type AliasEntry, AliasRefusal, addAlias, aliasEntries, aliasesOfAccount, everyAlias, removeAlias, setExternalAlias } from './account-aliases.js';
import { storeOptions } from './accounts.js';
import type { CommandIo } from './admin-call.js';
import type { HeraldConfig } from './config/herald-config.js';

export const ALIAS_USAGE = `Usage: herald user alias <add|del|list|external> … [--config FILE]

  user alias add ALIAS alice@example.com [--external]
                                  make ALIAS (user@domain in a served domain) another name of
                                  the account; --external also marks it as the form users of a
                                  convertIds community see the account by
  user alias del ALIAS            delete the alias
  user alias list [alice@example.com]
                                  list the aliases (of one account): ALIAS ACCOUNT [external]
  user alias external alice@example.com ALIAS|--clear
                                  mark another of the account's aliases as its external form,
                                  or clear the mark

Addresses are user@domain or sip:user@domain. Acts on the store of the configuration (as
herald user does); the running server follows within a fraction of a second.`;

export type AliasCommandAction = 'add' | 'del' | 'list' | 'external';

export const ALIAS_ACTIONS: readonly AliasCommandAction[] = ['add', 'del', 'list', 'external'];

/** A `user alias` sub-command, already parsed. */
export type AliasCommand =
  | { action: 'add'; alias: string; account: string; external: boolean }
  | { action: 'del'; alias: string }
  | { action: 'list'; account?: string }
  | { action: 'external'; account: string; alias: string | null };

/**
 * The command `herald user alias ACTION` names with these arguments, or what is wrong with
 * them. `flags`: the value-less options given (`external`, `clear`).
 */
export function aliasCommand(action: AliasCommandAction, positional: readonly string[], flags: ReadonlySet<string>): AliasCommand | string {
  const [first, second, extra] = positional;
  const unexpected = [...flags].find((flag) => !(action === 'add' ? flag === 'external' : action === 'external' && flag === 'clear'));
  if (unexpected !== undefined) return `--${unexpected} does not go with ${action}`;
  switch (action) {
    case 'add':
      return first === undefined || second === undefined || extra !== undefined ? 'give the alias, then the account' : { action, alias: first, account: second, external: flags.has('external') };
    case 'del':
      return first === undefined || second !== undefined ? 'give the alias alone' : { action, alias: first };
    case 'list':
      return second !== undefined ? 'one account at a time' : { action, ...(first !== undefined && { account: first }) };
    case 'external':
      if (first === undefined || extra !== undefined || (second === undefined) === !flags.has('clear')) return 'give the account, then the alias or --clear';
      return { action, account: first, alias: second ?? null };
  }
}

/**
 * Runs `herald user alias …` against the configured store. Returns the exit code: 0 done,
 * 1 refused (the message says why) or the store failed.
 */
export async function runAliasCommand(command: AliasCommand, config: HeraldConfig, io: CommandIo): Promise<0 | 1> {
  const store = await openStore(storeOptions(config));
  try {
    await act({ users: store.users, domains: config.domains }, command, io);
    return 0;
  } catch (e) {
    if (!(e instanceof AliasRefusal)) throw e;
    io.err(`herald user alias ${command.action}: ${e.message}`);
    return 1;
  } finally {
    await store.close();
  }
}

async function act(ctx: AliasContext, command: AliasCommand, io: CommandIo): Promise<void> {
  switch (command.action) {
    case 'add': {
      const { entry, created } = await addAlias(ctx, command.alias, command.account, command.external || undefined);
      io.out(`${created ? 'added' : 'kept'} ${entry.alias} as an alias of ${entry.account}${entry.external ? ', its external form' : ''}`);
      return;
    }
    case 'del': {
      const removed = await removeAlias(ctx, command.alias);
      io.out(`deleted ${removed.alias}, an alias of ${removed.account}${removed.external ? ' (its external form: the account has none now)' : ''}`);
      return;
    }
    case 'list': {
      const entries = command.account === undefined ? await everyAlias(ctx.users) : aliasEntries(await aliasesOfAccount(ctx, command.account));
      for (const entry of entries) io.out(listLine(entry));
      return;
    }
    case 'external': {
      const { account, external } = await setExternalAlias(ctx, command.account, command.alias);
      io.out(external === null ? `${account} has no external form now` : `${external} is the external form of ${account} now`);
      return;
    }
  }
}

function listLine({ alias, account, external }: AliasEntry): string {
  return `${alias} ${account}${external ? ' external' : ''}`;
}
