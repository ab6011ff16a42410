import { readFileSync } from 'node:fs';
import { ConfigError } from './config/config-error.js';
import { loadConfig } from './config/config.js';
import { HeraldServer } from './herald-server.js';
import { createLogger } from './logger.js';

const USAGE = `Usage: herald <command> [options]

Commands:
  start [--config FILE]   start the server (FILE defaults to $HERALD_CONFIG, then ./herald.yaml,
                          then built-in defaults serving "localhost")

Options:
  -h, --help              show this help
  -v, --version           print the version`;

/** The outcome of a CLI command: an exit code, after any output has been written. */
export type ExitCode = 0 | 1 | 2;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const stdio: Io = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') };

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
  if (command !== 'start') {
    io.err(`herald: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  let configPath: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--config' || arg === '-c') {
      configPath = rest[++i];
      if (configPath === undefined) {
        io.err('herald start: --config needs a file path, e.g. --config /etc/herald/herald.yaml');
        return 2;
      }
    } else if (arg.startsWith('--config=')) {
      configPath = arg.slice('--config='.length);
    } else {
      io.err(`herald start: unknown option "${arg}"\n\n${USAGE}`);
      return 2;
    }
  }
  return start(configPath, io);
}

async function start(configPath: string | undefined, io: Io): Promise<ExitCode> {
  let config;
  try {
    config = loadConfig(configPath);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`herald: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const logger = createLogger(config.log);
  const server = new HeraldServer(config, logger);
  // Handlers go in before start so that a signal during start-up still drains and exits 0.
  let stopRequested: (signal: string) => void = () => undefined;
  const stopSignal = new Promise<string>((resolve) => (stopRequested = resolve));
  process.once('SIGINT', () => stopRequested('SIGINT'));
  process.once('SIGTERM', () => stopRequested('SIGTERM'));
  try {
    await server.start();
  } catch (e) {
    logger.error(`herald could not start: ${(e as Error).message}`);
    await server.stop().catch(() => undefined);
    return 1;
  }
  const signal = await stopSignal;
  logger.info('stopping', { signal });
  try {
    await server.stop();
  } catch (e) {
    logger.error('stop failed', { error: e });
    return 1;
  }
  logger.info('stopped');
  return 0;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return `herald ${pkg.version}`;
}
