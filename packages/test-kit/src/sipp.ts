import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';

export interface SippRun {
  code: number | null;
  output: string;
}

/** SIPp's transport modes: one UDP socket, one TCP connection (Debian's SIPp has no TLS). */
export type SippTransportMode = 'u1' | 't1';

/**
 * Runs SIPp (Debian `sip-tester`) as a UAC with `scenario` against `port` on 127.0.0.1,
 * for `calls` calls; SIPp exits 0 when every call succeeded. SIPp binds 5060 unless told
 * otherwise, so it is given a free port.
 */
export async function runSipp(scenario: string, port: number, transport: SippTransportMode, calls = 1, extra: string[] = []): Promise<SippRun> {
  return execSipp(['127.0.0.1:' + port, '-sf', scenario, '-t', transport, '-m', String(calls), '-p', String(await freePort())], extra);
}

/**
 * Runs SIPp as a UAS with `scenario` on 127.0.0.1:`port` until it has handled one call (or
 * 20 s pass); SIPp exits 0 when the call succeeded.
 */
export async function runSippUas(scenario: string, port: number, transport: SippTransportMode, extra: string[] = []): Promise<SippRun> {
  return execSipp(['-sf', scenario, '-t', transport, '-m', '1', '-p', String(port)], extra);
}

/**
 * Runs SIPp as a UAC with `scenario` from `local` (another loopback address: another host)
 * to `remote` (`host:port`), for one call.
 */
export async function runSippFrom(scenario: string, local: string, remote: string, transport: SippTransportMode, extra: string[] = []): Promise<SippRun> {
  return execSipp([remote, '-sf', scenario, '-t', transport, '-m', '1', '-p', String(await freePort())], extra, local);
}

/** SIPp on `local` with media ports of its own, stopped with an error after 20 s; `extra` last. */
async function execSipp(args: string[], extra: string[], local = '127.0.0.1'): Promise<SippRun> {
  const media = await mediaPorts();
  return new Promise((resolve) => {
    execFile(
      'sipp',
      [...args, '-i', local, '-mp', String(media), '-timeout', '20', '-timeout_error', '-nostdin', ...extra],
      { timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

/**
 * The first of four free UDP ports for SIPp's media (`-mp`; it binds the port and the one
 * two above). Taken below the ephemeral range, so that they cannot be a port another test
 * was just given: SIPp processes started together otherwise race for its default, 6000.
 */
async function mediaPorts(): Promise<number> {
  for (;;) {
    const first = 20_000 + 4 * Math.floor(Math.random() * 2_500);
    const sockets = [0, 1, 2, 3].map(() => dgram.createSocket('udp4'));
    const bound = await Promise.all(
      sockets.map((socket, i) => new Promise<boolean>((resolve) => {
        socket.once('error', () => resolve(false));
        socket.bind(first + i, '127.0.0.1', () => resolve(true));
      })),
    );
    await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => {
      try {
        socket.close(() => resolve());
      } catch {
        resolve();
      }
    })));
    if (bound.every(Boolean)) return first;
  }
}

/** A port free on 127.0.0.1 for both UDP and TCP at the time of asking. */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = net.createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
    const udp = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    await new Promise((resolve) => server.close(resolve));
    if (ok) return port;
  }
}
