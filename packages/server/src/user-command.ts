import { createInterface } from 'node:readline';
import { type Store, openStore } from '@herald/store';
import { accountNameTaken, parseAccountAddress, putAccount, storeOptions } from './accounts.js';
import type { HeraldConfig } from './config/herald-config.js';

export const USER_USAGE = `Usage: herald user <add|passwd|del|list|alias> [ADDRESS] [--password P] [--config FILE]

  user add alice@example.com      create an account (password from --password, else asked for,
                                  or read from the first line of standard input)
  user passwd alice@example.com   set a new password
  user del alice@example.com      delete the account and its aliases
  user list [example.com]         list the accounts (of one domain)
  user alias add|del|list|external …
                                  manage aliases (herald user alias --help)

Acts on the store of the configuration (embedded: the SQLite file in dataDir; or Redis).`;

export interface UserCommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Asks for a password (without echo on a terminal). */
  askPassword: (prompt: string) => Promise<string>;
}

/** A `user` sub-command, already parsed. */
export interface UserCommand {
  action: 'add' | 'passwd' | 'del' | 'list';
  address?: string;
  password?: string;
}

/**
 * Runs `herald user …` against the configured store. Returns the exit code: 0 done,
 * 1 the account is not in the state the command needs, 2 bad arguments.
 */
export async function runUserCommand(command: UserCommand, config: HeraldConfig, io: UserCommandIo): Promise<0 | 1 | 2> {
  let target: { user: string; domain: string } | undefined;
  if (command.action !== 'list') {
    target = parseAddress(command.address, config.domains, io);
    if (target === undefined) return 2;
  }
  const store = await openStore(storeOptions(config));
  try {
    return await act(store, command, target, config, io);
  } finally {
    await store.close();
  }
}

async function act(store: Store, command: UserCommand, target: { user: string; domain: string } | undefined, config: HeraldConfig, io: UserCommandIo): Promise<0 | 1 | 2> {
  const now = Date.now();
  if (command.action === 'list') {
    const domain = command.address?.toLowerCase();
    for (const u of await store.users.list(domain)) io.out(`${u.user}@${u.domain}`);
    return 0;
  }
  const { user, domain } = target!;
  const existing = await store.users.get(user, domain);
  if (command.action === 'del') {
    if (!(await store.users.delete(user, domain))) {
      io.err(`herald user del: there is no account ${user}@${domain}`);
      return 1;
    }
    io.out(`deleted ${user}@${domain}`);
    return 0;
  }
  if (command.action === 'add' && existing !== undefined) {
    io.err(`herald user add: ${user}@${domain} exists already; use \`herald user passwd ${user}@${domain}\` to change its password`);
    return 1;
  }
  const aliasClash = command.action === 'add' ? await accountNameTaken(store.users, user, domain) : null;
  if (aliasClash !== null) {
    io.err(`herald user add: ${aliasClash}`);
    return 1;
  }
  if (command.action === 'passwd' && existing === undefined) {
    io.err(`herald user passwd: there is no account ${user}@${domain}; create it with \`herald user add ${user}@${domain}\``);
    return 1;
  }
  const password = command.password ?? (await io.askPassword(`Password for ${user}@${domain}: `));
  if (password === '') {
    io.err(`herald user ${command.action}: the password is empty; give one with --password or at the prompt`);
    return 2;
  }
  await putAccount(store.users, user, domain, password, now);
  io.out(`${command.action === 'add' ? 'created' : 'password set for'} ${user}@${domain}${config.domains.includes(domain) ? '' : ` (note: ${domain} is not in domains)`}`);
  return 0;
}

function parseAddress(address: string | undefined, domains: readonly string[], io: UserCommandIo): { user: string; domain: string } | undefined {
  const account = address === undefined ? undefined : parseAccountAddress(address);
  if (account === undefined) io.err(`herald user: give the account as user@domain, e.g. alice@${domains[0] ?? 'example.com'}\n\n${USER_USAGE}`);
  return account;
}

/** Reads a password: hidden on a terminal, else the first line of standard input. */
export function askPassword(prompt: string): Promise<string> {
  const input = process.stdin;
  const rl = createInterface({ input, output: input.isTTY ? process.stderr : undefined, terminal: input.isTTY === true });
  return new Promise((resolve) => {
    if (input.isTTY) {
      process.stderr.write(prompt);
      // Nothing typed is echoed: the interface writes to the terminal only through this.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
    }
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      if (input.isTTY) process.stderr.write('\n');
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve('');
    });
  });
}
