// Section 6 (scale): the restart of a Herald that holds many bindings. The same config is
// started again and probed with a REGISTER without Contact (a query of the AoR's bindings,
// RFC 3261 §10.2.3) every 20 ms from the moment the process is spawned; the time to the
// first 200 and the Contacts it lists say how long the node was unavailable and whether
// the binding survived the restart.
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive, processTree, startProcess, stopProcess } from './proc.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const heraldBin = join(root, 'packages/server/dist/bin/herald.js');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends a binding query for `user`@`domain` to 127.0.0.1:`port` every `everyMs` until a 200
 * arrives or `timeoutMs` passes: { ms (from the call), contacts (Contact header fields in the
 * 200), status } or { ms: null } on timeout.
 */
export function queryBindings({ port, user, domain, everyMs = 20, timeoutMs = 120_000 }) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const s = dgram.createSocket('udp4');
    let n = 0;
    let timer;
    const done = (r) => { clearInterval(timer); s.close(); resolve(r); };
    s.on('error', () => {}); // ICMP port unreachable until the server has bound its port
    s.on('message', (buf) => {
      const text = buf.toString('latin1');
      const status = Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0);
      if (status !== 200) return; // 1xx, or 503 while the store is not there yet: keep asking
      const head = text.slice(0, text.indexOf('\r\n\r\n'));
      const contacts = head.split('\r\n').filter((l) => /^(contact|m)\s*:/i.test(l)).length;
      done({ ms: performance.now() - t0, contacts, status });
    });
    s.bind(0, '127.0.0.1', () => {
      const lport = s.address().port;
      const send = () => {
        if (performance.now() - t0 > timeoutMs) return done({ ms: null, contacts: null, status: null });
        n++;
        s.send([
          `REGISTER sip:${domain} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${lport};branch=z9hG4bK-scale-q${process.pid}-${n};rport`,
          'Max-Forwards: 70',
          `From: <sip:${user}@${domain}>;tag=q${n}`,
          `To: <sip:${user}@${domain}>`,
          `Call-ID: scale-query-${process.pid}-${lport}@127.0.0.1`,
          `CSeq: ${n} REGISTER`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'), port, '127.0.0.1');
      };
      send();
      timer = setInterval(send, everyMs);
    });
  });
}

/**
 * Starts Herald again with the config file an earlier start wrote, on the same port, and
 * times it until a binding query for `user` is answered; then stops it.
 */
export async function restartAndQuery({ config, port, user, domain, timeoutMs }) {
  if (!existsSync(config)) throw new Error(`${config} missing: the Herald target no longer writes its config there`);
  const t0 = performance.now();
  const child = startProcess('node', [heraldBin, 'start', '--config', config]);
  const spawnMs = performance.now() - t0;
  try {
    const r = await queryBindings({ port, user, domain, timeoutMs });
    if (r.ms === null) throw new Error(`no 200 to a binding query within ${timeoutMs} ms; output: ${child.output().trim().split('\n').slice(-2).join(' | ')}`);
    return { ms: r.ms + spawnMs, contacts: r.contacts };
  } finally {
    const tree = isAlive(child.pid) ? processTree(child.pid) : [];
    await stopProcess(child);
    for (let i = 0; i < 20 && tree.some(isAlive); i++) await sleep(100);
    for (const p of tree) if (isAlive(p)) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
  }
}
