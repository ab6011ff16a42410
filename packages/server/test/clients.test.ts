import type { SipRequest } from '@herald/sip';
import { runBaresip } from './helpers/baresip.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { JsSipPhone } from './helpers/jssip.js';
import { Linphonec } from './helpers/linphonec.js';
import { call } from './helpers/sipp-call.js';
import { sippRegister } from './helpers/sipp-register.js';
import { registerOnce, sipJsMessage, sipJsPhone } from './helpers/sipjs.js';
import { sipsakMessage, sipsakRegister } from './helpers/sipsak.js';
import { TcpPhone } from './helpers/tcp-phone.js';

/*
 * Issue 13: every client authenticates with no server-side tuning. The configuration says
 * nothing about algorithms or User-Agents; each client runs as it comes, registers with
 * digest, and sends a MESSAGE that a registered peer (a scripted phone on TCP) receives.
 */
const CLIENTS = ['sipsak', 'sipp', 'baresip', 'linphonec', 'sipjs', 'jssip'];
const PEER_PASSWORD = 'peer-secret';

const CONFIG = `
domains: [example.com, localhost]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0", "ws://127.0.0.1:0/"]
log: { level: info }
users:
${CLIENTS.flatMap((c) => {
  // sipsak resolves the domain it is given itself: its accounts are in localhost.
  const domain = c === 'sipsak' ? 'localhost' : 'example.com';
  return [`  - { user: ${c}, domain: ${domain}, password: "${c}-secret" }`, `  - { user: ${c}-peer, domain: ${domain}, password: "${PEER_PASSWORD}" }`];
}).join('\n')}
`;

describe('clients as they come: digest REGISTER and a MESSAGE to a registered peer (issue 13)', () => {
  let herald: HeraldProcess;
  const peers: TcpPhone[] = [];

  beforeAll(async () => {
    herald = await startHerald(CONFIG);
  });
  afterEach(() => {
    for (const p of peers.splice(0)) p.close();
  });
  afterAll(async () => {
    await herald.stop();
  });

  async function peer(client: string, domain = 'example.com'): Promise<TcpPhone> {
    const phone = await TcpPhone.register(herald.port('tcp'), `${client}-peer`, PEER_PASSWORD, domain);
    peers.push(phone);
    return phone;
  }

  /** The peer's next request, which must be the MESSAGE with `text`; answered 200. */
  async function delivered(to: TcpPhone, text: string): Promise<SipRequest> {
    const message = await to.nextRequest();
    expect(message.method).toBe('MESSAGE');
    // SIPp ends the body its scenario holds with a line break.
    expect(message.body.toString('utf8').trimEnd()).toBe(text);
    await to.answer(message);
    return message;
  }

  it('sipsak 0.9.8 (takes the first challenge, knows only MD5)', async () => {
    const to = await peer('sipsak', 'localhost');
    const registered = await sipsakRegister(herald.port('udp'), 'sipsak', 'localhost', 'sipsak-secret');
    expect(registered.output).toMatch(/SIP\/2\.0 401 [\s\S]*SIP\/2\.0 200 OK/);
    expect(registered.code).toBe(0);

    const sent = sipsakMessage(herald.port('udp'), 'sipsak', 'localhost', 'sipsak-secret', 'sip:sipsak-peer@localhost', 'hello from sipsak');
    await delivered(to, 'hello from sipsak');
    const run = await sent;
    expect(run.output).toMatch(/SIP\/2\.0 407 [\s\S]*SIP\/2\.0 200 OK/);
    expect(run.code).toBe(0);
  });

  it('SIPp without a User-Agent header ([authentication] answers the first challenge)', async () => {
    const to = await peer('sipp');
    const registered = await sippRegister(herald.port('udp'), 'register-no-user-agent.xml', 'u1', 'sipp', 'sipp-secret');
    expect(registered.code).toBe(0);

    const sent = call('uac-message-no-user-agent.xml', herald.port('udp'), 'u1', 'sipp', 'sipp-secret', 'sipp-peer', { extra: ['-key', 'text', 'hello from SIPp'] });
    const message = await delivered(to, 'hello from SIPp');
    expect(message.header('user-agent')).toBeUndefined();
    expect((await sent).code).toBe(0);
  });

  it('baresip 1.0 (libre: MD5 only)', async () => {
    const to = await peer('baresip');
    const running = runBaresip(herald.port('udp'), 'udp', 'sip:baresip@example.com', 'baresip-secret', 3, { message: { to: 'sip:baresip-peer@example.com', text: 'hello from baresip' } });
    await delivered(to, 'hello from baresip');
    const run = await running;
    expect(run.registerStatuses.slice(0, 2)).toEqual([401, 200]);
    expect(run.messageStatuses).toEqual([407, 200]);
    expect(run.output).not.toMatch(/authentication failed|Register: /);
  });

  it('linphonec 5.1 (offered SHA-256 first, as a client known to choose by RFC 8760, and answers it)', async () => {
    const to = await peer('linphonec');
    const phone = await Linphonec.start(herald.port('udp'), 'linphonec', 'example.com', 'linphonec-secret');
    try {
      expect(await phone.registered()).toBe(true);
      phone.chat('sip:linphonec-peer@example.com', 'hello from linphonec');
      await delivered(to, 'hello from linphonec');
      expect(await phone.quit()).toBe(0);
      const log = await phone.log();
      expect(log).toMatch(/^WWW-Authenticate: Digest realm="example\.com", nonce="[^"]+", algorithm=SHA-256/m);
      expect(log).toMatch(/^Authorization: +Digest realm="example\.com", nonce="[^"]+", algorithm=SHA-256/m);
      expect(log).toMatch(/^Proxy-Authorization: +Digest realm="example\.com", nonce="[^"]+", algorithm=SHA-256/m);
    } finally {
      await phone.remove();
    }
  });

  it('SIP.js 0.21 over WebSocket (takes the first challenge, knows only MD5)', async () => {
    const to = await peer('sipjs');
    const phone = await sipJsPhone(`ws://127.0.0.1:${herald.port('ws')}/`, 'sip:sipjs@example.com', 'sipjs-secret');
    try {
      expect(await registerOnce(phone)).toBe(200);
      const sent = sipJsMessage(phone, 'sip:sipjs-peer@example.com', 'hello from SIP.js');
      await delivered(to, 'hello from SIP.js');
      expect(await sent).toBe(200);
    } finally {
      await phone.stop();
    }
  });

  it('JsSIP 3.13 over WebSocket (takes the first challenge, knows only MD5)', async () => {
    const to = await peer('jssip');
    const phone = await JsSipPhone.connect(`ws://127.0.0.1:${herald.port('ws')}/`, 'sip:jssip@example.com', 'jssip-secret');
    try {
      expect(await phone.register()).toBe(200);
      const sent = phone.message('sip:jssip-peer@example.com', 'hello from JsSIP');
      await delivered(to, 'hello from JsSIP');
      expect(await sent).toBe(200);
    } finally {
      await phone.stop();
    }
  });
});
