// The ceiling for one Node.js process: a UDP socket that answers every request with a
// canned 200 OK carrying the request's Via/From/To/Call-ID/CSeq (adds a To tag if there
// is none). No parsing beyond finding those lines, no transaction state.
// Usage: node bench/lib/bare-responder.js <port> [host]
import dgram from 'node:dgram';

const port = Number(process.argv[2]);
const host = process.argv[3] ?? '127.0.0.1';
const COPY = /^(via|v|from|f|to|t|call-id|i|cseq)\s*:/i;
const TO = /^(to|t)\s*:/i;

const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
sock.on('message', (buf, rinfo) => {
  const text = buf.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0 || text.startsWith('SIP/')) return; // not a complete request
  let out = 'SIP/2.0 200 OK\r\n';
  for (const line of text.slice(text.indexOf('\r\n') + 2, end).split('\r\n')) {
    if (!COPY.test(line)) continue;
    out += TO.test(line) && !/;\s*tag=/i.test(line) ? `${line};tag=bare\r\n` : `${line}\r\n`;
  }
  sock.send(out + 'Content-Length: 0\r\n\r\n', rinfo.port, rinfo.address);
});
sock.bind(port, host);
process.on('SIGTERM', () => sock.close(() => process.exit(0)));
// Do not outlive the driver that started us (if it is killed with SIGKILL).
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.exit(0), 1000).unref();
