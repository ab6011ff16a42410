import { readFileSync } from 'node:fs';
import { AggregatorRegistry } from 'prom-client';
import { checkDataDir } from './config/check-data-dir.js';
import { ConfigError } from './config/config-error.js';
import type { HeraldConfig } from './config/herald-config.js';
import { loadConfig } from './config/load-config.js';
import { HeraldServer } from './herald-server.js';
import { createLogger } from './logger.js';
import { WorkerPool, isPoolWorker, reportReady } from './worker-pool.js';
import { COMMUNITY_ACTIONS, COMMUNITY_FLAGS, COMMUNITY_USAGE, type CommunityCommandAction, communityCommandProblem, runCommunityCommand } from './community-command.js';
import { FEDERATION_ACTIONS, FEDERATION_USAGE, type FederationCommandAction, runFederationCommand } from './federation-command.js';
import { PRESENCE_ACTIONS, PRESENCE_USAGE, type PresenceCommandAction, runPresenceCommand } from './presence-command.js';
import { USER_USAGE, type UserCommand, type UserCommandIo, askPassword, runUserCommand } from './user-command.js';
import { ALIAS_ACTIONS, ALIAS_USAGE, type AliasCommandAction, aliasCommand, runAliasCommand } from './alias-command.js';

const USAGE = `Usage: herald <command> [options]

Commands:
  start [--config FILE]   start the server (FILE defaults to $HERALD_CONFIG, then ./herald.yaml,
                          then built-in defaults serving "localhost")
  user add|passwd|del|list [ADDRESS] [--password P] [--config FILE]
                          manage accounts in the configured store (herald user --help)
  user alias add|del|list|external [ARGS] [--config FILE]
                          manage aliases and the external form (herald user alias --help)
  presence ACTION PRESENTITY [WATCHER] [--config FILE]
                          approve, block, polite-block, confirm or remove a watcher, go
                          invisible, show watchers: through the admin API (herald presence --help)
  federation show|block|unblock|allow|unallow [ENTRY] [--config FILE]
                          show the federation policy and peers' TLS flows, or change the
                          run-time block and allow lists: through the admin API
                          (herald federation --help)
  community list|enable|disable|reset [NAME | --all] [--config FILE]
                          show the gateway communities and their connectors, or switch a
                          community (or all) on and off at run time: through the admin API
                          (herald community --help)

Options:
  -h, --help              show this help
  -v, --version           print the version`;

/** The outcome of a CLI command: an exit code, after any output has been written. */
export type ExitCode = 0 | 1 | 2;

type Io = UserCommandIo;

const stdio: Io = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n'), askPassword };

/** Runs `herald` with the given arguments (without `node` and the script path). */
export async function runCli(argv: readonly string[], io: Io = stdio): Promise<ExitCode> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '-v' || command === '--version') {
    io.out(version());
    return 0;
  }
  if (command === 'user') return user(rest, io);
  if (command === 'presence') return adminCommand(PRESENCE, rest, io);
  if (command === 'federation') return adminCommand(FEDERATION, rest, io);
  if (command === 'community') return adminCommand(COMMUNITY, rest, io);
  if (command !== 'start') {
    io.err(`herald: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  const options = parseOptions('start', rest, [], io);
  if (options === undefined) return 2;
  if (options.positional.length > 0) {
    io.err(`herald start: unexpected argument "${options.positional[0]}"\n\n${USAGE}`);
    return 2;
  }
  return start(options.values.config, io);
}

interface ParsedOptions {
  values: Record<string, string | undefined>;
  /** The value-less options given. */
  flags: Set<string>;
  positional: string[];
}

/**
 * Parses `--config FILE` (always known), the given `--NAME VALUE` options and the given
 * value-less `--FLAG`s; `undefined` after reporting a problem.
 */
function parseOptions(command: string, args: readonly string[], names: readonly string[], io: Io, flagNames: readonly string[] = []): ParsedOptions | undefined {
  const values: Record<string, string | undefined> = {};
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf('=');
    const flag = arg === '-c' ? '--config' : eq > 0 ? arg.slice(0, eq) : arg;
    const name = flag.slice(2);
    if (!flag.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    if (flagNames.includes(arg.slice(2))) {
      flags.add(arg.slice(2));
      continue;
    }
    if (name !== 'config' && !names.includes(name)) {
      io.err(`herald ${command}: unknown option "${arg}"\n\n${usageOf(command)}`);
      return undefined;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) {
      io.err(name === 'config' ? `herald ${command}: --config needs a file path, e.g. --config /etc/herald/herald.yaml` : `herald ${command}: --${name} needs a value`);
      return undefined;
    }
    values[name] = value;
  }
  return { values, flags, positional };
}

function usageOf(command: string): string {
  if (command === 'start') return USAGE;
  if (command.startsWith('presence')) return PRESENCE_USAGE;
  if (command.startsWith('federation')) return FEDERATION_USAGE;
  if (command.startsWith('community')) return COMMUNITY_USAGE;
  if (command.startsWith('user alias')) return ALIAS_USAGE;
  return USER_USAGE;
}

/**
 * The configuration, or `undefined` after reporting its problems. `opensStore`: the
 * command opens the store, so an embedded store's `dataDir` must be usable.
 */
function readConfig(configPath: string | undefined, io: Io, opensStore = false): HeraldConfig | undefined {
  try {
    const config = loadConfig(configPath);
    if (opensStore && config.store.kind === 'embedded') checkDataDirOf(config);
    return config;
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`herald: ${e.message}`);
      return undefined;
    }
    throw e;
  }
}

function checkDataDirOf(config: HeraldConfig): void {
  try {
    checkDataDir(config.dataDir);
  } catch (e) {
    throw e instanceof ConfigError ? ConfigError.collect(config.source ?? 'configuration', [e]) : e;
  }
}

const USER_ACTIONS = ['add', 'passwd', 'del', 'list'] as const;

async function user(args: readonly string[], io: Io): Promise<ExitCode> {
  const [action, ...rest] = args;
  if (action === undefined || action === '--help' || action === '-h') {
    io.out(USER_USAGE);
    return action === undefined ? 2 : 0;
  }
  if (action === 'alias') return alias(rest, io);
  if (!(USER_ACTIONS as readonly string[]).includes(action)) {
    io.err(`herald user: unknown action "${action}"\n\n${USER_USAGE}`);
    return 2;
  }
  const options = parseOptions(`user ${action}`, rest, action === 'add' || action === 'passwd' ? ['password'] : [], io);
  if (options === undefined) return 2;
  if (options.positional.length > 1) {
    io.err(`herald user ${action}: one address at a time\n\n${USER_USAGE}`);
    return 2;
  }
  const config = readConfig(options.values.config, io, true);
  if (config === undefined) return 2;
  const command: UserCommand = { action: action as UserCommand['action'], address: options.positional[0], password: options.values.password };
  try {
    return await runUserCommand(command, config, io);
  } catch (e) {
    io.err(`herald user ${action}: ${(e as Error).message}`);
    return 1;
  }
}

async function alias(args: readonly string[], io: Io): Promise<ExitCode> {
  const [action, ...rest] = args;
  if (action === undefined || action === '--help' || action === '-h') {
    io.out(ALIAS_USAGE);
    return action === undefined ? 2 : 0;
  }
  if (!(ALIAS_ACTIONS as readonly string[]).includes(action)) {
    io.err(`herald user alias: unknown action "${action}"\n\n${ALIAS_USAGE}`);
    return 2;
  }
  const options = parseOptions(`user alias ${action}`, rest, [], io, ['external', 'clear']);
  if (options === undefined) return 2;
  const command = aliasCommand(action as AliasCommandAction, options.positional, options.flags);
  if (typeof command === 'string') {
    io.err(`herald user alias ${action}: ${command}\n\n${ALIAS_USAGE}`);
    return 2;
  }
  const config = readConfig(options.values.config, io, true);
  if (config === undefined) return 2;
  try {
    return await runAliasCommand(command, config, io);
  } catch (e) {
    io.err(`herald user alias ${action}: ${(e as Error).message}`);
    return 1;
  }
}

/** A command that acts through the running server's admin API: its actions, usage, and what it makes of its arguments. */
interface AdminCommand<A extends string> {
  name: string;
  actions: readonly A[];
  usage: string;
  /** The `--NAME` options without a value it takes. */
  flags?: readonly string[];
  /** What is wrong with the arguments after the action; null when nothing is. */
  problem(action: A, positional: readonly string[], flags: ReadonlySet<string>): string | null;
  run(action: A, positional: readonly string[], config: HeraldConfig, io: Io, flags: ReadonlySet<string>): Promise<ExitCode>;
}

/** `herald NAME ACTION ARGS… [--config FILE]`: help, the action and the arguments checked, the configuration read, then the command run. */
async function adminCommand<A extends string>(command: AdminCommand<A>, args: readonly string[], io: Io): Promise<ExitCode> {
  const { name, actions, usage } = command;
  const [action, ...rest] = args;
  if (action === undefined || action === '--help' || action === '-h') {
    io.out(usage);
    return action === undefined ? 2 : 0;
  }
  if (!(actions as readonly string[]).includes(action)) {
    io.err(`herald ${name}: unknown action "${action}"\n\n${usage}`);
    return 2;
  }
  const options = parseOptions(`${name} ${action}`, rest, [], io, command.flags);
  if (options === undefined) return 2;
  const problem = command.problem(action as A, options.positional, options.flags);
  if (problem !== null) {
    io.err(`herald ${name} ${action}: ${problem}\n\n${usage}`);
    return 2;
  }
  const config = readConfig(options.values.config, io);
  if (config === undefined) return 2;
  return command.run(action as A, options.positional, config, io, options.flags);
}

const PRESENCE: AdminCommand<PresenceCommandAction> = {
  name: 'presence',
  actions: PRESENCE_ACTIONS,
  usage: PRESENCE_USAGE,
  problem: (action, [presentity, , extra]) =>
    presentity === undefined || extra !== undefined ? `give the presentity${action === 'show' || action.endsWith('visible') ? '' : ' and the watcher'}` : null,
  run: (action, [presentity, watcher], config, io) => runPresenceCommand({ action, presentity, ...(watcher !== undefined && { watcher }) }, config, io),
};

const FEDERATION: AdminCommand<FederationCommandAction> = {
  name: 'federation',
  actions: FEDERATION_ACTIONS,
  usage: FEDERATION_USAGE,
  problem: (_action, positional) => (positional.length > 1 ? 'one entry at a time' : null),
  run: (action, [entry], config, io) => runFederationCommand({ action, ...(entry !== undefined && { entry }) }, config, io),
};

const COMMUNITY: AdminCommand<CommunityCommandAction> = {
  name: 'community',
  actions: COMMUNITY_ACTIONS,
  usage: COMMUNITY_USAGE,
  flags: COMMUNITY_FLAGS,
  problem: communityCommandProblem,
  run: (action, [name], config, io, flags) =>
    runCommunityCommand({ action, ...(action !== 'list' && { target: flags.has('all') || name === undefined ? 'all' : { community: name } }), json: flags.has('json') }, config, io),
};

async function start(configPath: string | undefined, io: Io): Promise<ExitCode> {
  const config = readConfig(configPath, io, true);
  if (config === undefined) return 2;
  const logger = createLogger(config.log);
  // Handlers go in before start so that a signal during start-up still drains and exits 0.
  let stopRequested: (signal: string) => void = () => undefined;
  const stopSignal = new Promise<string>((resolve) => (stopRequested = resolve));
  process.once('SIGINT', () => stopRequested('SIGINT'));
  process.once('SIGTERM', () => stopRequested('SIGTERM'));
  const worker = isPoolWorker();
  const service: Service = config.workers > 1 && !worker ? new WorkerPool(config, logger) : serverService(new HeraldServer(config, logger, { adminServer: !worker, ddns: !worker }), worker);
  let listening: string[];
  try {
    listening = await service.start();
  } catch (e) {
    logger.error(`herald could not start: ${(e as Error).message}`);
    await service.stop().catch(() => undefined);
    return 1;
  }
  if (worker) reportReady(listening);
  else logger.info('herald started', { domains: config.domains, listening, store: config.store.kind, workers: config.workers, ...(service.adminUrl && { admin: service.adminUrl }) });
  const signal = await stopSignal;
  if (!worker) logger.info('stopping', { signal });
  try {
    await service.stop();
  } catch (e) {
    logger.error('stop failed', { error: e });
    return 1;
  }
  if (!worker) logger.info('stopped');
  return 0;
}

interface Service {
  start(): Promise<string[]>;
  stop(): Promise<void>;
  readonly adminUrl?: string;
}

/** One process serving on its own, or one worker of a pool (whose counters the primary sums). */
function serverService(server: HeraldServer, worker: boolean): Service {
  return {
    async start() {
      await server.start();
      if (worker) {
        // Constructing one installs prom-client's listener that answers the primary's scrapes.
        void new AggregatorRegistry();
        AggregatorRegistry.setRegistries([server.metrics.registry]);
      }
      return server.listeningUris;
    },
    stop: () => server.stop(),
    get adminUrl() {
      return server.adminUrl;
    },
  };
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return `herald ${pkg.version}`;
}
