import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository under test: a clone takes its committed HEAD, as a new user's would. */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a shell outside this repository: none of npm's variables from a
 * `npm test` around us, and no node_modules/.bin of ours on PATH, where a `herald` built
 * here would stand in for the clone's. `npm_config_yes=false` makes npx fail rather than
 * fetch an unrelated package named herald from the registry if the clone's bin were not
 * found.
 */
function outsideEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!/^npm_/i.test(name)) env[name] = value;
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.includes('node_modules')).join(delimiter);
  env.npm_config_yes = 'false';
  return env;
}

function run(command: string, args: string[], cwd: string, input = ''): Promise<Run> {
  return new Promise((res, rej) => {
    const child = spawn(command, args, { cwd, env: outsideEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', rej);
    child.once('exit', (code) => res({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/*
 * What the README promises: in a fresh clone, `npm install`, then `npx herald ...` works.
 * A full install (about 80 s here with npm's cache warm: --prefer-offline takes what the
 * cache holds without asking the registry whether it is the newest).
 */
describe('a fresh clone: npm install, then npx herald', () => {
  let dir: string;
  let clone: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-clone-'));
    clone = join(dir, 'herald');
    const cloned = await run('git', ['clone', '--quiet', REPO, clone], dir);
    expect(cloned).toMatchObject({ code: 0 });
    const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], clone);
    if (installed.code !== 0) throw new Error(`npm install failed:\n${installed.stdout}\n${installed.stderr}`);
  }, 600_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints the version, building the packages on first use', async () => {
    const version = await run('npx', ['herald', '--version'], clone);
    expect(version.stderr).toContain('building the packages first');
    expect(version).toMatchObject({ code: 0, stdout: 'herald 0.1.0\n' });
  }, 300_000);

  it('adds an account with the password given on standard input, and lists it', async () => {
    const added = await run('npx', ['herald', 'user', 'add', 'alice@example.com'], clone, 'wonderland\n');
    expect(added).toMatchObject({ code: 0 });
    expect(added.stdout).toContain('created alice@example.com');
    const listed = await run('npx', ['herald', 'user', 'list'], clone);
    expect(listed).toMatchObject({ code: 0, stdout: 'alice@example.com\n' });
  }, 60_000);
});
