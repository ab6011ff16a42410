import { type SipMessage, SipRequest, SipResponse, createResponse } from '@herald/sip';
import { type RedisServer, UdpClient, branch, startRedis } from '@herald/test-kit';
import { eventually } from './helpers/eventually.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';

const CALLS = 24;
const HANDED_OVER = 'request handed to the worker holding its transaction';
/** Whether a worker logged handing a `method` over to another (at least one is expected: the kernel spreads datagrams). */
const handedOver = (herald: HeraldProcess, method: string) => herald.stdout.some((line) => line.includes(HANDED_OVER) && line.includes(method));

/** A request of `from`'s, sent from `client`. */
function request(client: UdpClient, method: string, uri: string, o: { branch: string; callId: string; cseq: number; from: string; to: string; headers?: string[] }): string {
  return [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${client.port};branch=${o.branch};rport`,
    'Max-Forwards: 70',
    `From: ${o.from}`,
    `To: ${o.to}`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} ${method}`,
    ...(o.headers ?? []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** The next message `client` receives that `match` accepts; others (100 Trying, retransmissions) are passed over. */
async function next<T extends SipMessage>(client: UdpClient, match: (m: SipMessage) => m is T): Promise<T> {
  for (;;) {
    const m = await client.nextMessage(5_000);
    if (match(m)) return m;
  }
}

const isRequest = (method: string) => (m: SipMessage): m is SipRequest => m instanceof SipRequest && m.method === method;
/** A response to `method` other than 100 Trying. */
const isResponse = (method: string) => (m: SipMessage): m is SipResponse => m instanceof SipResponse && m.cseq.method === method && m.status > 100;

/**
 * Workers of one node share the UDP socket and the kernel gives each datagram to either of
 * them, so a CANCEL may reach the worker that does not hold the INVITE. Over many calls
 * some do (the workers log each hand-over, at debug); every CANCEL must still be answered
 * 200 and end the call with 487.
 */
describe('two workers sharing a UDP socket (Redis store)', () => {
  let redis: RedisServer;
  let herald: HeraldProcess;
  let caller: UdpClient;
  let callee: UdpClient;
  beforeAll(async () => {
    redis = await startRedis();
    herald = await startHerald(`
domains: [herald.test]
listen: ["udp://127.0.0.1:0"]
store: "${redis.url}/5"
workers: 2
auth: { enabled: false }
log: { level: debug }
`);
    caller = await UdpClient.bind();
    callee = await UdpClient.bind();
    const bob = '<sip:bob@herald.test>';
    await callee.send(request(callee, 'REGISTER', 'sip:herald.test', {
      branch: branch(), callId: 'reg-bob', cseq: 1, from: `${bob};tag=r1`, to: bob,
      headers: [`Contact: <sip:bob@127.0.0.1:${callee.port}>`, 'Expires: 300'],
    }), herald.port('udp'));
    expect((await next(callee, isResponse('REGISTER'))).status).toBe(200);
  }, 30_000);
  afterAll(async () => {
    await caller?.close();
    await callee?.close();
    await herald?.stop();
    await redis?.stop();
  });

  it(`answers every CANCEL of ${CALLS} calls from the worker holding the INVITE: 200, the callee cancelled, 487`, async () => {
    const port = herald.port('udp');
    const bob = '<sip:bob@herald.test>';

    const outcomes: string[] = [];
    for (let i = 0; i < CALLS; i++) {
      const call = { branch: branch(), callId: `cancel-${i}`, cseq: 1, from: `<sip:alice@herald.test>;tag=a${i}`, to: bob };
      await caller.send(request(caller, 'INVITE', 'sip:bob@herald.test', { ...call, headers: [`Contact: <sip:alice@127.0.0.1:${caller.port}>`] }), port);
      const invite = await next(callee, isRequest('INVITE'));
      await callee.send(createResponse(invite, 180, 'Ringing', { toTag: `b${i}` }).toBuffer(), port);
      expect((await next(caller, isResponse('INVITE'))).status).toBe(180);

      await caller.send(request(caller, 'CANCEL', 'sip:bob@herald.test', { ...call }), port);
      const cancelAnswer = await next(caller, isResponse('CANCEL'));
      outcomes.push(`${cancelAnswer.status}`);
      if (cancelAnswer.status !== 200) continue;
      const cancel = await next(callee, isRequest('CANCEL'));
      await callee.send(createResponse(cancel, 200, 'OK').toBuffer(), port);
      await callee.send(createResponse(invite, 487, 'Request Terminated', { toTag: `b${i}` }).toBuffer(), port);
      const final = await next(caller, isResponse('INVITE'));
      expect(final.status).toBe(487);
      // RFC 3261 §17.1.1.3: the ACK of a non-2xx has the INVITE's branch
      await caller.send(request(caller, 'ACK', 'sip:bob@herald.test', { ...call, to: final.header('to')! }), port);
      await next(callee, isRequest('ACK'));
    }
    expect(outcomes).toEqual(Array(CALLS).fill('200'));
    expect(await eventually(() => handedOver(herald, 'CANCEL'), (yes) => yes)).toBe(true);
  }, 60_000);

  it('forwards a MESSAGE once however many of its retransmissions reach the other worker', async () => {
    const port = herald.port('udp');
    const message = request(caller, 'MESSAGE', 'sip:bob@herald.test', {
      branch: branch(), callId: 'retransmitted', cseq: 1, from: '<sip:alice@herald.test>;tag=m1', to: '<sip:bob@herald.test>',
      headers: ['Content-Type: text/plain'],
    });
    // Copies a few ms apart until one has reached the other worker: the kernel picks the
    // worker, and a burst is read whole by one (libuv reads up to 32 datagrams a wake-up).
    for (let i = 0; i < 20 || (i < 300 && !handedOver(herald, 'MESSAGE')); i++) {
      await caller.send(message, port);
      await new Promise((r) => setTimeout(r, 5 + (i % 3) * 5));
    }
    const first = await next(callee, isRequest('MESSAGE'));
    // whatever else reaches the callee before it answers: only Herald's own retransmissions of one branch
    const branches = new Set([first.topVia.params.get('branch')]);
    for (;;) {
      const more = await Promise.race([next(callee, isRequest('MESSAGE')), new Promise<null>((r) => setTimeout(() => r(null), 300))]);
      if (more === null) break;
      branches.add(more.topVia.params.get('branch'));
    }
    expect(branches.size).toBe(1);
    await callee.send(createResponse(first, 200, 'OK').toBuffer(), port);
    expect((await next(caller, isResponse('MESSAGE'))).status).toBe(200);
    expect(await eventually(() => handedOver(herald, 'MESSAGE'), (yes) => yes)).toBe(true);
  });
});
