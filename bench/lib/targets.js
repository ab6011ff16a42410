// The servers section 2 measures, in the order they run. Each entry:
//   { name, async start({ workDir, quick }) } → { pids, port, ruri, stop() } or { skip: 'reason' }
// `pids` are the processes whose CPU (with their descendants) is charged to the server;
// `ruri` is the Request-URI the OPTIONS scenario sends (passed to SIPp as -key ruri).
// The entry marked `reference` is the one the others are printed as a ratio to.
// To add a peer (e.g. Kamailio): one more entry that writes its config to a temp file,
// spawns it with launch() on a free 127.0.0.1 port, and returns { port, ...launched }.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeUdpPort, probeOptions, startProcess, stopProcess } from './proc.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const heraldBin = join(root, 'packages/server/dist/bin/herald.js');
const bareBin = join(root, 'bench/lib/bare-responder.js');

/**
 * Spawn, then find the first Request-URI the server answers with 200; else skip.
 * `probeMs`: how long the first Request-URI is tried (a server seeding 10,000 accounts
 * at start needs longer than the default 15 s).
 */
export async function launch(name, cmd, args, port, ruris, { probeMs = 15_000 } = {}) {
  const child = startProcess(cmd, args);
  const gone = new AbortController();
  child.exited.then(() => gone.abort());
  const tried = [];
  for (const [i, ruri] of ruris.entries()) {
    const code = await probeOptions(port, ruri, i === 0 ? probeMs : 3_000, gone.signal);
    if (code === 200) return { pids: [child.pid], ruri, child, stop: () => stopProcess(child) };
    tried.push(`${ruri} → ${code === -1 ? 'process exited' : code === 0 ? 'no answer' : code}`);
    if (code === -1 || (code === 0 && i === 0)) break;
  }
  await stopProcess(child);
  const lines = child.output().split('\n').map((l) => l.trim()).filter(Boolean);
  const out = (lines.find((l) => /error/i.test(l)) ?? lines.at(-1) ?? '').slice(0, 300);
  return { skip: `${name} did not answer OPTIONS with 200 (${tried.join('; ')})${out ? `; output: ${out}` : ''}` };
}

export const targets = [
  {
    name: 'Herald',
    async start({ workDir }) {
      if (!existsSync(heraldBin)) return { skip: 'packages/server/dist/bin/herald.js missing (npm run build)' };
      const port = await freeUdpPort();
      const config = join(workDir, 'herald.yaml');
      writeFileSync(config, [
        'domains: [bench.test]',
        `listen: ["udp://127.0.0.1:${port}"]`,
        'log: { level: warn }',
        // one load generator on one address: no per-source budget, and room for 32 s of Timer J at full rate
        'sip: { rateLimit: { requestsPerSecond: 0 }, maxTransactions: 2000000 }',
        '',
      ].join('\n'));
      const res = await launch('Herald', 'node', [heraldBin, 'start', '--config', config], port,
        ['sip:bench.test', `sip:127.0.0.1:${port}`]);
      return { port, ...res };
    },
  },
  {
    name: 'bare Node.js responder',
    reference: true, // the other targets are also printed as a ratio to this one
    async start() {
      const port = await freeUdpPort();
      const res = await launch('bare responder', 'node', [bareBin, String(port)], port, [`sip:bench@127.0.0.1:${port}`]);
      return { port, ...res };
    },
  },
];
