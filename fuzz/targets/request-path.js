/**
 * Fuzz target: the request path of a running Herald. Each input is one UDP datagram, handed to
 * the listening socket of an in-process Herald (embedded store in a scratch directory) exactly
 * as the kernel would: `socket.emit('message', data, rinfo)`. Two servers run: one with digest
 * authentication (as deployed) and one with `auth.enabled: false`, so that fuzzed requests also
 * reach the registrar, presence and IM past the challenge. The input's hash picks the server and
 * the source address (127.0.0.2–254), so a finding replays the same way. Credentials that ask
 * to be signed (`credentials.js`) are, so that requests also get past the challenge.
 *
 * Nothing leaves the process (`sealed-network.js`): datagrams Herald sends are checked here, and
 * the requests among them answered by `peers.js`. Invariants, each a finding when broken:
 * - no request handler throws anything but a `SipError` or a store outage: nothing is logged at
 *   error level ("request failed", which the error boundary answers 500, "transaction user
 *   failed", ...). A 500 alone is no finding: RFC 3261 §16.7 step 6 sends one for a 503 branch;
 * - no unhandled promise rejection; the request is finished within 10 s (no hang);
 * - every response goes to the address a request came from, with a status line that reads back, and a
 *   400 has a reason phrase; a response to a well-formed request parses too;
 * - every request Herald forwards for a well-formed request parses and validates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { check, describeError } from '../lib/invariants.js';
import { sealNetwork, udpSockets } from '../lib/sealed-network.js';

const SOURCE_PORT = 5070;
// Peers answer at once and failed logins are not slowed down here: a request takes milliseconds.
const SETTLE_MS = 10_000;

let outbox = [];
let deliver = () => {};
let credentials = null;
sealNetwork((data, address, port, socket) => {
  outbox.push({ data, address, port });
  credentials?.observe(data.toString('latin1', 0, 2048));
  deliver(data, address, port, socket);
});

const { SipError, headerKey, parseMessage } = await import('@herald/sip');
const { HeraldServer, createLogger, parseConfig } = await import('@herald/server');
const { peers } = await import('../lib/peers.js');
const { Credentials } = await import('../lib/credentials.js');
credentials = new Credentials();

const failures = [];
process.on('unhandledRejection', (reason) => failures.push(describeError('unhandled promise rejection', reason)));

/** Error-level log entries are failures; the rest is dropped. */
const logSink = new Writable({
  write(chunk, _encoding, done) {
    if (process.env.FUZZ_LOG) process.stderr.write(chunk);
    for (const line of chunk.toString().split('\n')) {
      if (line.includes('"level":"error"')) failures.push(new Error(`invariant broken: Herald logged an error: ${line}`));
    }
    done();
  },
});

const scratch = mkdtempSync(join(tmpdir(), 'herald-fuzz-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

async function startServer(name, extra) {
  const file = join(scratch, name, 'herald.yaml');
  const yaml = `
domains: [example.com, 127.0.0.1]
listen: ["udp://127.0.0.1:0"]
dataDir: ./data
log: { level: warn }
# every input comes from one address: a per-source budget would drop most of them unread
sip: { rateLimit: { requestsPerSecond: 0 } }
users:
  - { user: alice, domain: example.com, password: "alice secret" }
  - { user: bob, domain: example.com, password: "bob secret" }
${extra}`;
  const config = parseConfig(yaml, file);
  // Failed logins slow a source down (up to 5 s per answer); that would slow the fuzzer alike.
  config.auth = { ...config.auth, limits: { ...config.auth.limits, slowDelayMs: 0 } };
  const server = new HeraldServer(config, createLogger({ level: 'warn', format: 'json' }, logSink), { adminServer: false });
  const before = udpSockets.length;
  await server.start();
  const socket = udpSockets[before];
  if (!socket) throw new Error('the server opened no UDP socket');
  const { address, port } = socket.address();
  return { server, socket, address, port };
}

const servers = [await startServer('guarded', ''), await startServer('open', 'auth: { enabled: false }\n')];
deliver = peers(servers);
await prime(servers[0]);

function hash(data) {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 0x01000193);
  return h >>> 0;
}

/** The input as a validated request, or null when it is not one. */
function wellFormedRequest(data) {
  try {
    const msg = parseMessage(data, { datagram: true }).validate();
    return msg.isRequest() ? msg : null;
  } catch (e) {
    if (e instanceof SipError) return null;
    throw e;
  }
}

const COPIED = new Set(['from', 'to', 'call-id', 'cseq']);

/**
 * Whether a response copies From, To (a tag added), Call-ID and CSeq from this request. The
 * transaction layer answers a request that matches an earlier transaction (same branch) with
 * that transaction's response, which copies the earlier request's headers, well formed or not.
 */
function answers(text, req) {
  const head = text.slice(text.indexOf('\r\n') + 2, text.indexOf('\r\n\r\n')).replace(/\r\n[ \t]/g, ' ');
  const own = new Map(req.headers.filter((h) => COPIED.has(h.key)).map((h) => [h.key, h.value]));
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    const key = headerKey(line.slice(0, colon).trim());
    if (!COPIED.has(key)) continue;
    const value = line.slice(colon + 1).trim();
    const mine = own.get(key);
    if (mine === undefined || (value !== mine && !(key === 'to' && value.startsWith(`${mine};tag=`)))) return false;
  }
  return true;
}

/** Waits until no request is being processed (the handler's count), then one more turn. */
async function settled(server) {
  const deadline = Date.now() + SETTLE_MS;
  const handler = server.handler;
  while (handler && handler.inFlight > 0) {
    if (Date.now() > deadline) throw new Error(`invariant broken: a request was still being processed after ${SETTLE_MS} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setImmediate(resolve));
}

// RFC 3261 §25.1: Reason-Phrase holds no control character but HTAB.
// eslint-disable-next-line no-control-regex
const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d) ([^\x00-\x08\x0a-\x1f\x7f]*)\r\n/;

function checkSent({ data, address, port }, request) {
  const text = data.toString('latin1');
  const status = STATUS_LINE.exec(text);
  if (text.startsWith('SIP/2.0 ')) {
    check(status !== null, () => `Herald sent a response whose status line does not read: ${JSON.stringify(text.slice(0, 80))}`);
    const code = Number(status[1]);
    check(code !== 400 || status[2].trim().length > 0, () => `a 400 without a reason phrase:\n${text}`);
    // RFC 3261 §18.2.2: the port is the source's with rport, else the Via's sent-by port.
    check(/^127\.0\.0\.\d+$/.test(address), () => `a response went to ${address}:${port}, not to a request's source address:\n${text}`);
    if (request !== null && answers(text, request)) {
      try {
        parseMessage(data, { datagram: true }).validate();
      } catch (e) {
        throw describeError(`the response to a well-formed request does not parse:\n${text}`, e);
      }
    }
    return;
  }
  if (request === null) return;
  try {
    parseMessage(data, { datagram: true }).validate();
  } catch (e) {
    throw describeError(`Herald sent a request that does not parse, for a well-formed one:\n${text}`, e);
  }
}

/** A first challenge, so that an input's `nonce="current"` has a nonce to become. */
async function prime({ server, socket }) {
  const register = ['REGISTER sip:example.com SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.2:5070;rport;branch=z9hG4bK-prime', 'Max-Forwards: 70', 'From: <sip:alice@example.com>;tag=p', 'To: <sip:alice@example.com>', 'Call-ID: prime@127.0.0.2', 'CSeq: 1 REGISTER', 'Content-Length: 0', '', ''];
  const data = Buffer.from(register.join('\r\n'));
  socket.emit('message', data, { address: '127.0.0.2', family: 'IPv4', port: SOURCE_PORT, size: data.length });
  await settled(server);
  outbox = [];
}

export async function fuzz(input) {
  const data = credentials.sign(input);
  const h = hash(input);
  // Signed credentials are for the server that checks them.
  const { server, socket } = servers[data === input ? h & 1 : 0];
  const address = `127.0.0.${2 + ((h >>> 1) % 253)}`;
  const request = wellFormedRequest(data);
  // What timers sent since the last input (retransmissions, NOTIFYs) is checked with this one.
  socket.emit('message', data, { address, family: 'IPv4', port: SOURCE_PORT, size: data.length });
  await settled(server);
  const sent = outbox;
  outbox = [];
  // A logged error says more (its stack) than the 500 it became.
  if (failures.length > 0) throw failures.splice(0)[0];
  for (const datagram of sent) checkSent(datagram, request);
}
