// A BIND named for the DNS benchmarks: primary for the zones it is given, on a free
// 127.0.0.1 port (UDP and TCP), in a directory of its own, killed with the driver (proc.js).
// Needs `named` on the PATH (Debian bind9).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort, startProcess, stopProcess } from './proc.js';

/**
 * Start named serving `zones` ({ 'bench.test': zone file text, … }); resolves once it has
 * loaded them, to { server: "127.0.0.1:PORT", port, pid, stop() }.
 */
export async function startNamed(zones) {
  const dir = await mkdtemp(join(tmpdir(), 'herald-bench-named-'));
  const port = await freeUdpPort(); // named binds TCP on it too; a clash makes it exit, and the error says so
  for (const [name, text] of Object.entries(zones)) await writeFile(join(dir, `${name}.zone`), text);
  await writeFile(
    join(dir, 'named.conf'),
    `options { directory "${dir}"; pid-file "${dir}/named.pid"; session-keyfile "${dir}/session.key";
  listen-on port ${port} { 127.0.0.1; }; listen-on-v6 { none; }; recursion no; dnssec-validation no; notify no; };
controls { };
${Object.keys(zones).map((name) => `zone "${name}" { type primary; file "${dir}/${name}.zone"; };`).join('\n')}
`,
  );
  const child = startProcess('named', ['-g', '-c', join(dir, 'named.conf')]);
  await new Promise((resolve, reject) => {
    const onData = () => {
      if (/ running\r?\n/.test(child.output())) done(resolve);
    };
    const onExit = (code) => done(() => reject(new Error(`named exited with ${code}:\n${child.output()}`)));
    const onError = (e) => done(() => reject(new Error(`named could not start (${e.message}); install the Debian package bind9`)));
    const done = (settle) => {
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      settle();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  }).catch(async (e) => {
    await rm(dir, { recursive: true, force: true });
    throw e;
  });
  return {
    server: `127.0.0.1:${port}`,
    port,
    pid: child.pid,
    async stop() {
      await stopProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
