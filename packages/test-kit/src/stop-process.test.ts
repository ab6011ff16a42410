import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { stopProcess } from './stop-process.js';

/** A shell that prints `ready` once it is set up, then waits. */
async function shell(script: string): Promise<ChildProcess> {
  const child = spawn('sh', ['-c', `${script}; echo ready; while :; do sleep 0.1; done`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(child.stdout as NodeJS.ReadableStream, 'data');
  return child;
}

describe('stopProcess', () => {
  it('ends a child with SIGTERM and resolves once it has exited', async () => {
    const child = await shell('true');
    await stopProcess(child);
    expect(child.signalCode).toBe('SIGTERM');
  });

  it('kills a child that ignores SIGTERM', async () => {
    const child = await shell("trap '' TERM");
    await stopProcess(child, 200);
    expect(child.signalCode).toBe('SIGKILL');
  });

  it('resolves at once for a child that has already exited', async () => {
    const child = spawn('true');
    await once(child, 'exit');
    await stopProcess(child);
    expect(child.exitCode).toBe(0);
  });
});
