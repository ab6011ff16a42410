// A child process of the connections benchmark (bench/lib/scale-connections.js): holds up to
// ~19,000 TCP and TLS connections to one Herald from one loopback source address (its own
// range of ephemeral ports), registers a user over each (Contact with transport=tcp/tls),
// sends CRLF keep-alives on them (RFC 5626 §4.4.1), drives REGISTER or MESSAGE at a fixed
// rate over some of them, and answers the MESSAGEs Herald relays to its users with 200.
// Driven over the fork IPC channel: { type: 'connect' | 'keepalive' | 'load' | 'shed' | 'stats' | 'close', ... }.
import net from 'node:net';
import tls from 'node:tls';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let opts = null; // { host, tcpPort, tlsPort, localAddress, domain, base }
const conns = [];
let pings = 0;
let pongs = 0;
let closedByPeer = 0;
let closing = false;
const pending = new Map(); // `${Call-ID} ${CSeq number}` → { at, resolve }
let messageSeq = 0;
let reasons = {}; // status lines of the non-2xx answers, counted

class Conn {
  constructor(socket, transport, index) {
    this.socket = socket;
    this.transport = transport;
    this.index = index;
    this.user = `c${opts.base + index}`;
    this.cseq = 0;
    this.buf = '';
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => { if (!closing && !this.shed) closedByPeer++; });
  }

  get via() {
    return `SIP/2.0/${this.transport.toUpperCase()} ${opts.localAddress}:${this.socket.localPort}`;
  }

  /** One REGISTER in flight per connection, as a UA refreshes (a later CSeq must not overtake an earlier one). */
  register() {
    this.busy = true;
    const cseq = ++this.cseq;
    const callId = `r-${this.user}`;
    const contact = `<sip:${this.user}@${opts.localAddress}:${this.socket.localPort};transport=${this.transport}>`;
    return this.request(callId, cseq, [
      `REGISTER sip:${opts.domain} SIP/2.0`,
      `Via: ${this.via};branch=z9hG4bK-${this.user}-${cseq};rport`,
      'Max-Forwards: 70',
      `From: <sip:${this.user}@${opts.domain}>;tag=${this.user}`,
      `To: <sip:${this.user}@${opts.domain}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} REGISTER`,
      `Contact: ${contact}`,
      'Expires: 3600',
      'Content-Length: 0',
      '', '',
    ].join('\r\n')).finally(() => { this.busy = false; });
  }

  message(to) {
    const n = ++messageSeq;
    const callId = `m-${opts.base}-${n}`;
    const body = `hello ${n}`;
    return this.request(callId, 1, [
      `MESSAGE sip:${to}@${opts.domain} SIP/2.0`,
      `Via: ${this.via};branch=z9hG4bK-m${opts.base}-${n};rport`,
      'Max-Forwards: 70',
      `From: <sip:${this.user}@${opts.domain}>;tag=m${n}`,
      `To: <sip:${to}@${opts.domain}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 MESSAGE',
      'Content-Type: text/plain',
      `Content-Length: ${body.length}`,
      '', body,
    ].join('\r\n'));
  }

  /** Resolves with the final status code, or 0 when the connection closes first. */
  request(callId, cseq, text) {
    return new Promise((resolve) => {
      const key = `${callId} ${cseq}`;
      pending.set(key, { at: performance.now(), resolve });
      this.socket.write(text);
    });
  }

  ping() {
    pings++;
    this.socket.write('\r\n\r\n');
  }

  onData(text) {
    this.buf += text;
    for (;;) {
      // RFC 5626 §4.4.1: the pong is a single CRLF between messages.
      while (this.buf.startsWith('\r\n')) { pongs++; this.buf = this.buf.slice(2); }
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buf.slice(0, end);
      const length = Number(/\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(head)?.[1] ?? 0);
      if (this.buf.length < end + 4 + length) return;
      this.buf = this.buf.slice(end + 4 + length);
      this.onMessage(head);
    }
  }

  onMessage(head) {
    const lines = head.split('\r\n');
    const header = (re) => lines.filter((l) => re.test(l));
    if (lines[0].startsWith('SIP/2.0 ')) {
      const code = Number(lines[0].slice(8, 11));
      if (code < 200) return;
      if (code >= 300) reasons[lines[0].slice(8)] = (reasons[lines[0].slice(8)] ?? 0) + 1;
      const callId = header(/^(call-id|i)[ \t]*:/i)[0]?.replace(/^[^:]*:[ \t]*/, '');
      const cseq = header(/^cseq[ \t]*:/i)[0]?.replace(/^[^:]*:[ \t]*/, '').split(' ')[0];
      const key = `${callId} ${cseq}`;
      const p = pending.get(key);
      if (p) { pending.delete(key); p.resolve(code); }
      return;
    }
    // a request Herald relays to this user (MESSAGE): 200, RFC 3261 §8.2.6
    const to = header(/^(to|t)[ \t]*:/i)[0] ?? '';
    this.socket.write([
      'SIP/2.0 200 OK',
      ...header(/^(via|v)[ \t]*:/i),
      ...header(/^(from|f)[ \t]*:/i),
      /;tag=/i.test(to) ? to : `${to};tag=fleet`,
      ...header(/^(call-id|i)[ \t]*:/i),
      ...header(/^cseq[ \t]*:/i),
      'Content-Length: 0',
      '', '',
    ].join('\r\n'));
  }
}

function open(transport, index) {
  return new Promise((resolve) => {
    const common = { host: opts.host, localAddress: opts.localAddress };
    const socket = transport === 'tls'
      ? tls.connect({ ...common, port: opts.tlsPort, rejectUnauthorized: false })
      : net.connect({ ...common, port: opts.tcpPort });
    const timer = setTimeout(() => { socket.destroy(); resolve({ error: 'connect timeout' }); }, 30_000);
    socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => { clearTimeout(timer); resolve({ socket }); });
    socket.once('error', (e) => { clearTimeout(timer); resolve({ error: e.code ?? e.message }); });
  });
}

/**
 * Opens `count` connections of `transport` at `rate`/s (at most 500 in flight), registering a user over each;
 * starts none after `deadline` (a `performance.now()` time).
 */
async function connectAll(transport, count, rate, deadline) {
  const errors = {};
  let registered = 0;
  let inFlight = 0;
  const t0 = performance.now();
  const work = [];
  let late = 0;
  for (let i = 0; i < count; i++) {
    while (i > rate * (performance.now() - t0) / 1000 || inFlight >= 500) await sleep(5);
    if (performance.now() > deadline) { late = count - i; break; }
    inFlight++;
    work.push((async () => {
      const r = await open(transport, conns.length);
      if (r.error) { errors[r.error] = (errors[r.error] ?? 0) + 1; inFlight--; return; }
      const c = new Conn(r.socket, transport, conns.length);
      conns.push(c);
      const code = await Promise.race([c.register(), sleep(30_000).then(() => 0)]);
      inFlight--;
      if (code === 200) registered++;
      else errors[`REGISTER ${code || 'timeout'}`] = (errors[`REGISTER ${code || 'timeout'}`] ?? 0) + 1;
    })());
  }
  await Promise.all(work);
  return { transport, opened: conns.filter((c) => c.transport === transport).length, registered, late, errors, ms: performance.now() - t0 };
}

let keepaliveTimer = null;
/** Every connection pings once per `intervalMs`, spread evenly: a slice of them every 100 ms. */
function keepalive(intervalMs) {
  clearInterval(keepaliveTimer);
  if (!intervalMs) return;
  const t0 = performance.now();
  let done = 0;
  keepaliveTimer = setInterval(() => {
    const due = Math.floor((conns.length * (performance.now() - t0)) / intervalMs);
    for (; done < due; done++) {
      const c = conns[done % conns.length];
      if (!c.socket.destroyed) c.ping();
    }
  }, 100);
}

/** `rate`/s of `kind` for `seconds` over the first `active` connections; latencies in ms. */
async function load({ kind, rate, seconds, active }) {
  const users = conns.slice(0, Math.min(active, conns.length)).filter((c) => !c.socket.destroyed);
  const lat = [];
  const codes = {};
  const total = Math.round(rate * seconds);
  const work = [];
  reasons = {};
  let skipped = 0;
  let next = 0;
  const t0 = performance.now();
  let sent = 0;
  while (sent + skipped < total) {
    const due = Math.min(total, Math.floor((rate * (performance.now() - t0)) / 1000));
    while (sent + skipped < due) {
      let c = users[next++ % users.length];
      for (let tries = 0; c.busy && tries < users.length; tries++) c = users[next++ % users.length];
      if (c.busy) { skipped++; continue; } // every connection still waits for its last REGISTER
      sent++;
      const at = performance.now();
      const p = kind === 'register' ? c.register() : c.message(users[next % users.length].user);
      work.push(Promise.race([p, sleep(32_000).then(() => 0)]).then((code) => {
        codes[code || 'timeout'] = (codes[code || 'timeout'] ?? 0) + 1;
        if (code >= 200 && code < 300) lat.push(performance.now() - at);
      }));
    }
    await sleep(2);
  }
  const sendMs = performance.now() - t0;
  await Promise.all(work);
  return { kind, sent, skipped, sendMs, answered: lat.length, lat, codes, reasons, ms: performance.now() - t0 };
}

const stats = () => ({ open: conns.filter((c) => !c.socket.destroyed).length, pings, pongs, closedByPeer, pending: pending.size });

process.on('message', async (cmd) => {
  let reply;
  if (cmd.type === 'connect') {
    opts = cmd.opts;
    const deadline = performance.now() + cmd.seconds * 1000;
    const tcp = await connectAll('tcp', cmd.tcp, cmd.rate, deadline);
    const tlsResult = await connectAll('tls', cmd.tls, cmd.tlsRate, deadline);
    reply = { tcp, tls: tlsResult, ...stats() };
  } else if (cmd.type === 'keepalive') {
    keepalive(cmd.intervalMs);
    reply = stats();
  } else if (cmd.type === 'load') {
    reply = await load(cmd);
  } else if (cmd.type === 'shed') {
    // keep the first `keep` connections, close the others
    for (const c of conns.splice(cmd.keep)) { c.shed = true; c.socket.destroy(); }
    reply = stats();
  } else if (cmd.type === 'stats') {
    reply = stats();
  } else if (cmd.type === 'close') {
    closing = true;
    clearInterval(keepaliveTimer);
    for (const c of conns) c.socket.destroy();
    reply = stats();
  }
  process.send({ id: cmd.id, ...reply });
  if (cmd.type === 'close') setTimeout(() => process.exit(0), 100);
});
process.on('disconnect', () => process.exit(0));
