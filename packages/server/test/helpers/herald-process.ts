import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built daemon, as `npm start` runs it. */
export const HERALD_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/bin/herald.js');

export interface HeraldProcess {
  child: ChildProcess;
  /** Everything written to stdout so far, one entry per line. */
  stdout: string[];
  stderr: string[];
  /** The port bound by the first listener of `transport` (listeners may use port 0). */
  port(transport: string): number;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  dir: string;
}

/**
 * Writes `yaml` (plus any `files`, e.g. certificates) to a temporary directory and starts
 * `herald start --config` on it; resolves once Herald logs that it has started.
 */
export async function startHerald(yaml: string, files: Record<string, string> = {}): Promise<HeraldProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-e2e-'));
  await writeFile(join(dir, 'herald.yaml'), yaml);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const child = spawn(process.execPath, [HERALD_BIN, 'start', '--config', join(dir, 'herald.yaml')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  let listening: string[] | null = null;
  const started = new Promise<void>((res, rej) => {
    lines(child.stdout, (line) => {
      stdout.push(line);
      const entry = tryJson(line);
      if (entry?.message === 'herald started') {
        listening = entry.listening as string[];
        res();
      }
    });
    lines(child.stderr, (line) => stderr.push(line));
    void exited.then((code) => rej(new Error(`herald exited with ${code} before starting:\n${[...stdout, ...stderr].join('\n')}`)));
  });
  await started;
  return {
    child,
    stdout,
    stderr,
    dir,
    exited,
    port(transport) {
      const uri = listening!.find((u) => u.startsWith(transport + '://'));
      if (!uri) throw new Error(`no ${transport} listener in ${listening!.join(', ')}`);
      return Number(/:(\d+)(\/|$)/.exec(uri.slice(transport.length + 3))![1]);
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      const code = await exited;
      await rm(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Runs `herald` with arguments to completion (killed after `timeoutMs`, exit code null then): exit code and output. */
export function runHerald(args: string[], cwd: string, timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [HERALD_BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => res({ code, stdout, stderr }));
  });
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.on('data', (chunk: Buffer) => {
    rest += chunk.toString('utf8');
    let nl;
    while ((nl = rest.indexOf('\n')) >= 0) {
      onLine(rest.slice(0, nl));
      rest = rest.slice(nl + 1);
    }
  });
}

function tryJson(line: string): Record<string, unknown> | null {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
}
