import { type RedisServer, startRedis } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { call } from './helpers/sipp-call.js';
import { TcpPhone } from './helpers/tcp-phone.js';

function config(redis: string, workers: number): string {
  return `
domains: [example.com]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0"]
store: "${redis}"
workers: ${workers}
log: { level: info }
users:
  - { user: alice, domain: example.com, password: "wonderland" }
  - { user: carol, domain: example.com, password: "singer" }
`;
}

/**
 * A phone connected over TCP to one node is reached by requests that arrive at another:
 * the node holding the connection is handed the request over the store's bus, and hands
 * the responses back (docs/architecture.md, cross-worker delivery).
 */
describe('delivery to a connection held by another node (two herald processes, one Redis)', () => {
  let redis: RedisServer;
  let nodeA: HeraldProcess;
  let nodeB: HeraldProcess;
  let phone: TcpPhone | null = null;
  beforeAll(async () => {
    redis = await startRedis();
    const url = `${redis.url}/4`;
    nodeA = await startHerald(config(url, 2));
    nodeB = await startHerald(config(url, 1));
  }, 30_000);
  afterEach(() => {
    phone?.close();
    phone = null;
  });
  afterAll(async () => {
    await nodeA?.stop();
    await nodeB?.stop();
    await redis?.stop();
  });

  it('a MESSAGE sent through node B reaches the phone on its TCP connection to node A, and its 200 comes back', async () => {
    phone = await TcpPhone.register(nodeA.port('tcp'), 'carol', 'singer');
    const sent = call('uac-message.xml', nodeB.port('udp'), 'u1', 'alice', 'wonderland', 'carol', { extra: ['-key', 'text', 'across nodes'] });
    const message = await phone.nextRequest();
    expect(message.method).toBe('MESSAGE');
    expect(message.body.toString()).toContain('across nodes');
    await phone.answer(message);
    expect((await sent).code).toBe(0);
  });

  it('a call through node B rings the phone on node A; ACK and BYE follow the dialog to the same connection', async () => {
    phone = await TcpPhone.register(nodeA.port('tcp'), 'carol', 'singer');
    const caller = call('uac-call.xml', nodeB.port('udp'), 'u1', 'alice', 'wonderland', 'carol');
    const invite = await phone.nextRequest();
    expect(invite.method).toBe('INVITE');
    await phone.answer(invite);
    expect((await phone.nextRequest()).method).toBe('ACK');
    const bye = await phone.nextRequest();
    expect(bye.method).toBe('BYE');
    await phone.answer(bye);
    expect((await caller).code).toBe(0);
  });

  it('a PUBLISH through node B notifies the watcher subscribed over its TCP connection to node A', async () => {
    phone = await TcpPhone.register(nodeA.port('tcp'), 'carol', 'singer');
    const subscribed = await phone.sendRequest('SUBSCRIBE', 'sip:alice@example.com', '', ['Event: presence', 'Expires: 600']);
    expect(subscribed.status).toBe(200);
    const first = await phone.nextRequest();
    expect(first.method).toBe('NOTIFY');
    await phone.answer(first);
    const publisher = await TcpPhone.connect(nodeB.port('tcp'), 'alice', 'wonderland');
    try {
      const body = '<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@example.com"><tuple id="b"><status><basic>open</basic></status><note>from node B</note></tuple></presence>';
      const published = await publisher.sendRequest('PUBLISH', 'sip:alice@example.com', body, ['Event: presence', 'Expires: 600', 'Content-Type: application/pidf+xml']);
      expect(published.status).toBe(200);
      const notify = await phone.nextRequest();
      expect(notify.method).toBe('NOTIFY');
      expect(notify.cseq.seq).toBe(first.cseq.seq + 1);
      expect(notify.body.toString()).toContain('<note>from node B</note>');
      await phone.answer(notify);
    } finally {
      publisher.close();
    }
  });
});
