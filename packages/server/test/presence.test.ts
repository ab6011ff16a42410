import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { UdpAgent } from './helpers/udp-agent.js';

const CONFIG = `
domains: [example.com]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0", "ws://127.0.0.1:0/"]
log: { level: info }
auth: { enabled: false }
presence: { notifyWindow: 1, minExpires: 10 }
users:
${['alice', 'bob', 'carol', 'dave', 'erin'].map((u) => `  - { user: ${u}, domain: example.com, password: "pw-${u}" }`).join('\n')}
`;

function pidf(entity: string, basic: 'open' | 'closed', extra = ''): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="${entity}">`,
    `<tuple id="t-${basic}"><status><basic>${basic}</basic></status></tuple>`,
    extra,
    '</presence>',
  ].join('\n');
}

describe('presence agent (RFC 3856, RFC 6665, RFC 3903)', () => {
  let herald: HeraldProcess;
  let watcher: UdpAgent;
  let phone: UdpAgent;

  beforeAll(async () => {
    herald = await startHerald(CONFIG);
  });
  afterAll(async () => {
    await herald.stop();
  });
  beforeEach(async () => {
    watcher = await UdpAgent.start(herald.port('udp'));
    phone = await UdpAgent.start(herald.port('udp'));
  });
  afterEach(async () => {
    await watcher.close();
    await phone.close();
  });

  async function subscribe(presentity: string, headers: string[] = ['Event: presence', 'Expires: 600'], callId = `sub-${presentity}-${Date.now()}`) {
    await watcher.send({
      method: 'SUBSCRIBE',
      uri: `sip:${presentity}@example.com`,
      from: '<sip:bob@example.com>;tag=w1',
      to: `<sip:${presentity}@example.com>`,
      callId,
      headers,
    });
    return { response: await watcher.response(), callId };
  }

  async function publish(presentity: string, headers: string[], body?: string, cseq = 1) {
    const from = `<sip:${presentity}@example.com>`;
    const contentType = body === undefined ? [] : ['Content-Type: application/pidf+xml'];
    await phone.send({ method: 'PUBLISH', uri: `sip:${presentity}@example.com`, from: `${from};tag=p1`, to: from, cseq, callId: `pub-${presentity}`, headers: [...headers, ...contentType], body });
    return phone.response();
  }

  describe('normal path', () => {
    it('answers 200 before the first NOTIFY, which carries the state derived from registration', async () => {
      const { response } = await subscribe('alice');
      expect(response.status).toBe(200);
      expect(response.to.params.get('tag')).toBeTruthy();
      expect(response.header('expires')).toBe('600');
      const notify = await watcher.request();
      expect(notify.method).toBe('NOTIFY');
      expect(notify.header('event')).toBe('presence');
      expect(notify.header('subscription-state')).toMatch(/^active;expires=(600|599)$/);
      expect(notify.header('content-type')).toBe('application/pidf+xml');
      expect(notify.body.toString()).toContain('<basic>closed</basic>');
      expect(notify.body.toString()).toContain('entity="sip:alice@example.com"');

      // Alice's phone registers and never publishes: watchers see her open.
      await phone.send({ method: 'REGISTER', uri: 'sip:example.com', from: '<sip:alice@example.com>;tag=r1', to: '<sip:alice@example.com>', headers: ['Expires: 600'] });
      expect((await phone.response()).status).toBe(200);
      const registered = await watcher.request();
      expect(registered.body.toString()).toContain('<basic>open</basic>');
      expect(registered.cseq.seq).toBeGreaterThan(notify.cseq.seq);
    });

    it('composes publications; a second change within the window comes as one later NOTIFY', async () => {
      const { response } = await subscribe('carol');
      expect(response.status).toBe(200);
      await watcher.request();
      const published = await publish('carol', ['Event: presence', 'Expires: 600'], pidf('sip:carol@example.com', 'open'));
      expect(published.status).toBe(200);
      const etag = published.header('sip-etag');
      expect(etag).toBeTruthy();
      expect((await watcher.request()).body.toString()).toContain('<basic>open</basic>');

      const away = '<dm:person id="p1"><rpid:activities><rpid:away/></rpid:activities></dm:person>';
      const modified = await publish('carol', ['Event: presence', 'Expires: 600', `SIP-If-Match: ${etag}`], pidf('sip:carol@example.com', 'open', away), 2);
      expect(modified.status).toBe(200);
      expect(modified.header('sip-etag')).not.toBe(etag);
      const merged = await watcher.request();
      expect(merged.body.toString()).toContain('<rpid:away/>');
    });

    it('refuses an unknown entity-tag with 412, an unknown event with 489, a short interval with 423', async () => {
      expect((await publish('dave', ['Event: presence', 'Expires: 600', 'SIP-If-Match: nope'])).status).toBe(412);
      const bad = await subscribe('dave', ['Event: dialog']);
      expect(bad.response.status).toBe(489);
      expect(bad.response.header('allow-events')).toBe('presence');
      const brief = await subscribe('dave', ['Event: presence', 'Expires: 5']);
      expect(brief.response.status).toBe(423);
      expect(brief.response.header('min-expires')).toBe('10');
    });
  });
});
