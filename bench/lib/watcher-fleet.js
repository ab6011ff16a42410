// Presence watchers for the benchmark, in the driver process: one UDP socket that holds
// many subscriptions (one Call-ID each), answers every NOTIFY with 200 and counts the
// NOTIFYs it got (a retransmission once). SIPp's call model cannot keep thousands of
// subscriptions open and count what reaches them across a ramp.
import dgram from 'node:dgram';

const COPY = /^(via|v|from|f|to|t|call-id|i|cseq)\s*:/i;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startWatcherFleet({ domain }) {
  const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 << 20, sendBufferSize: 8 << 20 });
  await new Promise((resolve) => sock.bind(0, '127.0.0.1', resolve));
  const port = sock.address().port;
  const seen = new Set();
  const subscribed = new Set();
  const fleet = { port, notifies: 0, lastNotifyAt: 0, waiters: [] };
  sock.on('message', (buf, rinfo) => {
    const text = buf.toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    if (end < 0) return;
    const lines = text.slice(text.indexOf('\r\n') + 2, end).split('\r\n');
    const header = (re) => lines.find((l) => re.test(l))?.replace(/^[^:]+:\s*/, '') ?? '';
    const callId = header(/^(call-id|i)\s*:/i);
    const cseq = header(/^cseq\s*:/i);
    if (text.startsWith('SIP/2.0 ')) {
      if (/^SIP\/2\.0 2\d\d/.test(text) && / SUBSCRIBE$/i.test(cseq)) subscribed.add(callId);
      return;
    }
    if (!text.startsWith('NOTIFY ')) return;
    let out = 'SIP/2.0 200 OK\r\n';
    for (const line of lines) if (COPY.test(line)) out += `${line}\r\n`;
    sock.send(out + 'Content-Length: 0\r\n\r\n', rinfo.port, rinfo.address);
    const key = `${callId} ${cseq}`;
    if (seen.has(key)) return;
    seen.add(key);
    fleet.notifies++;
    fleet.lastNotifyAt = performance.now();
    fleet.waiters = fleet.waiters.filter((w) => (fleet.notifies >= w.n ? (w.resolve(), false) : true));
  });

  /** Subscribes `perPresentity` watchers to each presentity at `rate`/s, resending what got no 2xx; resolves once all are subscribed. */
  fleet.subscribe = async ({ serverPort, presentities, perPresentity, rate, tag = 'fleet' }) => {
    const requests = [];
    for (const p of presentities) for (let j = 0; j < perPresentity; j++) requests.push({ callId: `${tag}-${p}-${j}`, p, j });
    for (let attempt = 0; attempt < 4; attempt++) {
      const todo = requests.filter((r) => !subscribed.has(r.callId));
      if (todo.length === 0) return;
      for (let i = 0; i < todo.length; i++) {
        const { callId, p, j } = todo[i];
        const msg = [
          `SUBSCRIBE sip:${p}@${domain} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${callId}-${attempt};rport`,
          'Max-Forwards: 70',
          `From: <sip:w${j}-${p}@${domain}>;tag=${callId}`,
          `To: <sip:${p}@${domain}>`,
          `Call-ID: ${callId}`,
          'CSeq: 1 SUBSCRIBE',
          `Contact: <sip:w${j}@127.0.0.1:${port}>`,
          'Event: presence',
          'Accept: application/pidf+xml',
          'Expires: 3600',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
        sock.send(msg, serverPort, '127.0.0.1');
        if (i % Math.max(1, Math.round(rate / 100)) === 0) await sleep(10);
      }
      for (let w = 0; w < 40 && requests.some((r) => !subscribed.has(r.callId)); w++) await sleep(100);
    }
    const missing = requests.filter((r) => !subscribed.has(r.callId)).length;
    if (missing > 0) throw new Error(`${missing} of ${requests.length} SUBSCRIBEs got no 2xx`);
  };

  /** Sends one initial PUBLISH of `body` (PIDF) for `presentity`, from the fleet's socket (its 200 is not awaited). */
  fleet.publish = ({ serverPort, presentity, body }) => {
    const msg = [
      `PUBLISH sip:${presentity}@${domain} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKpub${Date.now()};rport`,
      'Max-Forwards: 70',
      `From: <sip:${presentity}@${domain}>;tag=pub`,
      `To: <sip:${presentity}@${domain}>`,
      `Call-ID: pub-${presentity}-${Date.now()}`,
      'CSeq: 1 PUBLISH',
      'Event: presence',
      'Expires: 600',
      'Content-Type: application/pidf+xml',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
    sock.send(msg, serverPort, '127.0.0.1');
  };

  /** Resolves once `n` NOTIFYs have arrived in all, or rejects after `timeoutMs`. */
  fleet.waitFor = (n, timeoutMs) =>
    new Promise((resolve, reject) => {
      if (fleet.notifies >= n) return resolve();
      const timer = setTimeout(() => reject(new Error(`${fleet.notifies} of ${n} NOTIFYs within ${timeoutMs} ms`)), timeoutMs);
      fleet.waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
    });

  fleet.stop = () => new Promise((resolve) => sock.close(resolve));
  return fleet;
}
