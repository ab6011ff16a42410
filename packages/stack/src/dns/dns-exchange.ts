import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, isIP, isIPv6 } from 'node:net';
import { type Clock, systemClock } from '../clock.js';
import { DnsError } from './dns-lookup.js';
import { DnsReader } from './dns-reader.js';
import { decodeHeader, RCODE } from './dns-wire.js';

/** A DNS server to ask: an IP address (a name would need DNS to find DNS) and a port. */
export interface DnsServer {
  host: string;
  port: number;
}

/**
 * Reads `127.0.0.1:5353`, `[::1]:5353`, `::1` or `192.0.2.53`; throws a plain `Error`
 * naming the text when it is none of these (config reading turns it into a message).
 */
export function parseDnsServer(text: string): DnsServer {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(text);
  const [host, port] = bracketed ? [bracketed[1], bracketed[2]] : isIPv6(text) ? [text, undefined] : plain ? [plain[1], plain[2]] : ['', undefined];
  const portNumber = port === undefined ? 53 : Number(port);
  if (isIP(host) === 0 || !(portNumber > 0 && portNumber < 65536)) throw new Error(`"${text}" is not address:port, [IPv6 address]:port or an address`);
  return { host, port: portNumber };
}

export function formatDnsServer(s: DnsServer): string {
  return isIPv6(s.host) ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`;
}

/** A fresh random message ID. @see RFC 5452 §9.2 */
export function randomDnsId(): number {
  return randomInt(0x10000);
}

export interface ExchangeOptions {
  /** Milliseconds before one try gives up. */
  timeout: number;
  clock?: Clock;
}

/**
 * Sends one message over UDP from a socket of its own and resolves with the first datagram
 * that answers it: from the server's address and port, with the query's ID and question
 * (RFC 5452 §4.3, §9.1). Anything else, forged or stale, is ignored, not fatal. A socket per
 * query gets a fresh random source port from the kernel, adding its ~15 bits to the ID's 16
 * that an off-path forger must guess (RFC 5452 §9.2); a shared socket would leave only the ID.
 * @see RFC 1035 §4.2.1
 */
export function udpExchange(server: DnsServer, query: Buffer, options: ExchangeOptions): Promise<Buffer> {
  const socket = createSocket(isIPv6(server.host) ? 'udp6' : 'udp4');
  return oneTry(server, options, () => socket.close(), (finish) => {
    socket.on('error', (e) => finish(unreachable(server, 'UDP', e)));
    socket.on('message', (msg) => {
      if (answers(query, msg)) finish(undefined, msg);
    });
    // A connected socket takes datagrams from the server's address and port only, and an
    // ICMP port unreachable fails the try at once instead of at the timeout.
    socket.connect(server.port, server.host, () => socket.send(query));
  });
}

/**
 * Sends one message over TCP with the two-octet length prefix and resolves with the answer;
 * a refused connection or an answer that does not match the query rejects.
 * @see RFC 1035 §4.2.2, RFC 7766 §8
 */
export function tcpExchange(server: DnsServer, query: Buffer, options: ExchangeOptions): Promise<Buffer> {
  const socket = connect({ host: server.host, port: server.port });
  return oneTry(server, options, () => socket.destroy(), (finish) => {
    let received = Buffer.alloc(0);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(query.length, 0);
    socket.on('connect', () => socket.end(Buffer.concat([length, query])));
    socket.on('error', (e) => finish(unreachable(server, 'TCP', e)));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      const msg = received.subarray(2, 2 + received.readUInt16BE(0));
      if (answers(query, msg)) finish(undefined, msg);
      else finish(new DnsError(`DNS server ${formatDnsServer(server)} sent an answer to another question over TCP`, 'SIP_ERR_DNS_MALFORMED'));
    });
    socket.on('close', () => finish(unreachable(server, 'TCP', new Error('closed without an answer'))));
  });
}

type Finish = (error: Error | undefined, answer?: Buffer) => void;

/** One try: settles once, on the first of an answer, an error or the timeout, then closes the socket. */
function oneTry(server: DnsServer, options: ExchangeOptions, close: () => void, run: (finish: Finish) => void): Promise<Buffer> {
  const clock = options.clock ?? systemClock;
  return new Promise<Buffer>((resolve, reject) => {
    let done = false;
    const finish: Finish = (error, answer) => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      close();
      if (error) reject(error);
      else resolve(answer!);
    };
    const timer = clock.setTimeout(
      () => finish(new DnsError(`DNS server ${formatDnsServer(server)} did not answer within ${options.timeout} ms`, 'SIP_ERR_DNS_TIMEOUT')),
      options.timeout,
    );
    run(finish);
  });
}

function unreachable(server: DnsServer, transport: string, e: Error): DnsError {
  return new DnsError(`DNS server ${formatDnsServer(server)} over ${transport}: ${e.message}`, 'SIP_ERR_DNS_UNREACHABLE', { cause: e });
}

/** Errors a server may report without echoing the question. */
const QUESTIONLESS_RCODES: ReadonlySet<number> = new Set([RCODE.FORMERR, RCODE.SERVFAIL, RCODE.NOTIMP, RCODE.REFUSED]);

/**
 * Whether `msg` is a response to `query`: QR set, same ID and the same question, the name
 * compared without case (RFC 4343). A response without a question is accepted only when it
 * reports a server error (FORMERR, SERVFAIL, NOTIMP, REFUSED), which leads to the next
 * server; never as an answer, nor as NXDOMAIN, which would end a look-up.
 * @see RFC 5452 §4.3
 */
export function answers(query: Buffer, msg: Buffer): boolean {
  try {
    const header = decodeHeader(msg);
    if (!header.flags.qr || header.id !== query.readUInt16BE(0)) return false;
    if (header.counts[0] === 0) return QUESTIONLESS_RCODES.has(header.rcode);
    const asked = firstQuestion(query);
    const answered = firstQuestion(msg);
    return asked.name.toLowerCase() === answered.name.toLowerCase() && asked.type === answered.type && asked.class === answered.class;
  } catch {
    return false;
  }
}

function firstQuestion(buf: Buffer): { name: string; type: number; class: number } {
  const r = new DnsReader(buf);
  r.offset = 12;
  return { name: r.name(), type: r.u16(), class: r.u16() };
}
