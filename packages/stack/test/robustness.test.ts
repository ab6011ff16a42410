import { requestText, StreamClient, UdpClient, WsClient } from '@herald/test-kit';
import { type RunningLayer, startLayer } from './helpers/start-layer.js';

/** A small seeded PRNG (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['\r\n', '\r\n\r\n', ':', ';', ',', '<', '>', '"', '\\', ' ', 'Content-Length: 99999999999', 'l: -1', 'Via: ', 'SIP/2.0', '\x00', '\xff'];

/** Mangled copies of a valid request: bytes flipped, cut short, pieces of syntax spliced in. */
function mangled(count: number, seed: number, transport: string): Buffer[] {
  const next = random(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    let text = requestText({ transport, method: next() < 0.5 ? 'INVITE' : 'MESSAGE', body: 'v=0\r\n', rport: next() < 0.5 });
    const edits = 1 + Math.floor(next() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * text.length);
      const kind = next();
      if (kind < 0.3) text = text.slice(0, at) + String.fromCharCode(Math.floor(next() * 256)) + text.slice(at + 1);
      else if (kind < 0.5) text = text.slice(0, at);
      else if (kind < 0.8) text = text.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)] + text.slice(at);
      else text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 20));
    }
    out.push(Buffer.from(text, 'latin1'));
  }
  return out;
}

describe('nothing a client sends stops the transport layer', () => {
  let run: RunningLayer;

  beforeEach(async () => {
    run = await startLayer([
      { transport: 'udp', host: '127.0.0.1', port: 0 },
      { transport: 'tcp', host: '127.0.0.1', port: 0 },
      { transport: 'ws', host: '127.0.0.1', port: 0 },
    ]);
  });

  afterEach(async () => {
    await run.layer.stop();
  });

  it('survives mangled datagrams', async () => {
    const client = await UdpClient.bind();
    try {
      // In lock step with a valid probe: a burst would only measure the socket buffer.
      let i = 0;
      for (const data of mangled(300, 1, 'UDP')) {
        await client.send(data, run.port('udp'));
        await client.send(requestText({ callId: `probe-${++i}` }), run.port('udp'));
        while ((await run.received.next()).message.callId !== `probe-${i}`);
      }
    } finally {
      await client.close();
    }
  });

  it('survives mangled streams, each on its own connection', async () => {
    for (const data of mangled(150, 2, 'TCP')) {
      const client = await StreamClient.connect('tcp', run.port('tcp'));
      await client.write(data);
      client.end();
      await client.closed;
    }
    const client = await StreamClient.connect('tcp', run.port('tcp'));
    await client.write(requestText({ transport: 'TCP', callId: 'last-tcp' }));
    while ((await run.received.next()).message.callId !== 'last-tcp');
    client.destroy();
  });

  it('survives mangled WebSocket messages', async () => {
    const client = await WsClient.connect(`ws://127.0.0.1:${run.port('ws')}`);
    for (const data of mangled(300, 3, 'WS')) await client.send(data, true);
    await client.send(requestText({ transport: 'WS', callId: 'last-ws' }));
    while ((await run.received.next()).message.callId !== 'last-ws');
    client.close();
  });
});
