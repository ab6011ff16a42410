import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SippRun, type SippTransportMode, runSipp, runSippUas } from '@herald/test-kit';
import { sippRegister } from './sipp-register.js';

const scenarios = join(dirname(fileURLToPath(import.meta.url)), '../scenarios');

export type SippTransport = SippTransportMode;

/** Registers `user`@example.com with a contact on `contactPort`, where a SIPp UAS will answer. */
export function registerContact(heraldPort: number, transport: SippTransport, user: string, password: string, contactPort: number): Promise<SippRun> {
  return sippRegister(heraldPort, 'register-contact.xml', transport, user, password, { contact_port: String(contactPort) });
}

/**
 * Starts a SIPp callee (`uas-*.xml`) on `port`, resolving with its run once it exits; for
 * TCP, `ready` resolves once it accepts connections.
 */
export function startCallee(scenario: string, port: number, transport: SippTransport, user: string): { run: Promise<SippRun>; ready: Promise<void> } {
  const run = runSippUas(join(scenarios, scenario), port, transport, ['-s', user]);
  return { run, ready: transport === 'u1' ? Promise.resolve() : untilAccepting(port) };
}

export interface CallOptions {
  /** The caller's domain (default example.com). */
  fromDomain?: string;
  /** The callee's domain (default example.com). */
  calleeDomain?: string;
  /** The account the caller authenticates as, when not `user` itself. */
  authUser?: string;
  /** More SIPp arguments (TLS certificate files). */
  extra?: string[];
}

/** Runs a SIPp caller (`uac-*.xml`) as `user` calling `callee` through Herald. */
export function call(scenario: string, heraldPort: number, transport: SippTransport, user: string, password: string, callee: string, options: CallOptions = {}): Promise<SippRun> {
  const { fromDomain = 'example.com', calleeDomain = 'example.com', authUser = user, extra = [] } = options;
  return runSipp(join(scenarios, scenario), heraldPort, transport, 1, [
    ...['-s', calleeDomain, '-key', 'user', user, '-key', 'from_domain', fromDomain, '-key', 'callee', callee],
    ...['-au', authUser, '-ap', password, '-auth_uri', `${callee}@${calleeDomain}`],
    ...extra,
  ]);
}

async function untilAccepting(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing accepts TCP connections on port ${port}`);
}
