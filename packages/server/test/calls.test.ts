import { createTestCertificate, freePort } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { type Invitation, SessionState } from 'sip.js';
import { registerOnce, sessionReaches, sipJsCall, sipJsPhone } from './helpers/sipjs.js';
import { type SippTransport, call, registerContact, startCallee } from './helpers/sipp-call.js';
import { TcpPhone } from './helpers/tcp-phone.js';

const CONFIG = `
domains: [example.com]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0", "ws://127.0.0.1:0/"]
log: { level: info }
proxy: { inviteTimeout: 3 }
users:
  - { user: alice, domain: example.com, password: "wonderland" }
${Array.from({ length: 12 }, (_, i) => `  - { user: callee${i}, domain: example.com, password: "pw${i}" }`).join('\n')}
`;

/** Each test calls a user of its own, so that no test forks to another test's contacts. */
let callees = 0;
function nextCallee(): string {
  return `callee${callees++}`;
}

describe('calls through the proxy (RFC 3261 §16)', () => {
  let herald: HeraldProcess;
  const port = (t: SippTransport) => herald.port(t === 'u1' ? 'udp' : 'tcp');

  beforeAll(async () => {
    herald = await startHerald(CONFIG);
  });
  afterAll(async () => {
    await herald.stop();
  });

  async function callee(user: string, scenario: string, transport: SippTransport) {
    const password = `pw${user.slice('callee'.length)}`;
    const contactPort = await freePort();
    const callee = startCallee(scenario, contactPort, transport, user);
    await callee.ready;
    expect((await registerContact(port(transport), transport, user, password, contactPort)).code).toBe(0);
    // Wrapped, so that awaiting this function does not wait for the callee to finish.
    return { finished: callee.run };
  }

  describe('normal path', () => {
    it.each([
      ['u1', 'u1'],
      ['t1', 't1'],
      ['u1', 't1'],
      ['t1', 'u1'],
    ] as const)('caller on %s, callee on %s: ringing, answer, ACK and BYE along the Record-Route', async (callerT, calleeT) => {
      const bob = nextCallee();
      const answered = await callee(bob, 'uas-answer.xml', calleeT);
      const caller = await call('uac-call.xml', port(callerT), callerT, 'alice', 'wonderland', bob);
      expect(caller.output).toContain('Successful call');
      expect(caller.code).toBe(0);
      expect((await answered.finished).code).toBe(0);
    });

    it('rings both devices of a user registered twice; the first to answer wins, the other is cancelled', async () => {
      const carol = nextCallee();
      const desk = await callee(carol, 'uas-answer.xml', 'u1');
      const mobile = await callee(carol, 'uas-ring.xml', 't1');
      const caller = await call('uac-call.xml', port('u1'), 'u1', 'alice', 'wonderland', carol);
      expect(caller.code).toBe(0);
      expect((await desk.finished).code).toBe(0);
      // uas-ring succeeds only after CANCEL → 200 → 487 → ACK.
      expect((await mobile.finished).code).toBe(0);
    });
  });

  describe('browser softphones over WebSocket (SIP.js)', () => {
    const wsUrl = () => `ws://127.0.0.1:${herald.port('ws')}/`;

    it('SIP.js calls a SIPp phone on UDP: challenged, answered, then SIP.js hangs up', async () => {
      const bob = nextCallee();
      const answered = await callee(bob, 'uas-answer.xml', 'u1');
      const phone = await sipJsPhone(wsUrl(), 'sip:alice@example.com', 'wonderland');
      try {
        const inviter = await sipJsCall(phone, `sip:${bob}@example.com`);
        const ended = sessionReaches(inviter, SessionState.Terminated);
        await inviter.bye();
        await ended;
        expect((await answered.finished).code).toBe(0);
      } finally {
        await phone.stop();
      }
    });

    it('a SIPp phone on UDP calls SIP.js, reached over its WebSocket; SIPp hangs up', async () => {
      const bob = nextCallee();
      let invitation: Invitation | null = null;
      const phone = await sipJsPhone(wsUrl(), `sip:${bob}@example.com`, `pw${bob.slice('callee'.length)}`, {
        onInvite: (inv) => {
          invitation = inv;
          void inv.accept();
        },
      });
      try {
        expect(await registerOnce(phone)).toBe(200);
        const caller = await call('uac-call.xml', port('u1'), 'u1', 'alice', 'wonderland', bob);
        expect(caller.code).toBe(0);
        expect(invitation).not.toBeNull();
        await sessionReaches(invitation!, SessionState.Terminated);
      } finally {
        await phone.stop();
      }
    });
  });

  describe('failure path', () => {
    it.each(['u1', 't1'] as const)('busy over %s: the 486 reaches the caller, each hop ACKs its own', async (t) => {
      const bob = nextCallee();
      const busy = await callee(bob, 'uas-busy.xml', t);
      const caller = await call('uac-busy.xml', port(t), t, 'alice', 'wonderland', bob);
      expect(caller.code).toBe(0);
      expect((await busy.finished).code).toBe(0);
    });

    it('the caller cancels while it rings: CANCEL answered 200, the callee cancelled, 487 to the caller', async () => {
      const bob = nextCallee();
      const ringing = await callee(bob, 'uas-ring.xml', 't1');
      const caller = await call('uac-cancel.xml', port('u1'), 'u1', 'alice', 'wonderland', bob);
      expect(caller.code).toBe(0);
      expect((await ringing.finished).code).toBe(0);
    });

    it('refuses an authenticated call whose From is another user (403)', async () => {
      const caller = await call('uac-forbidden.xml', port('u1'), 'u1', 'callee11', 'wonderland', 'callee10', { authUser: 'alice' });
      expect(caller.code).toBe(0);
    });

    it('nobody answers: after proxy.inviteTimeout Herald cancels the branch and answers 408', async () => {
      const bob = nextCallee();
      const ringing = await callee(bob, 'uas-ring.xml', 'u1');
      const caller = await call('uac-noanswer.xml', port('u1'), 'u1', 'alice', 'wonderland', bob);
      expect(caller.code).toBe(0);
      expect((await ringing.finished).code).toBe(0);
    });
  });
});

describe('calls to and from another domain through routes: (RFC 3261 §16.5)', () => {
  let herald: HeraldProcess;
  let peerPort: number;
  beforeAll(async () => {
    peerPort = await freePort();
    herald = await startHerald(`${CONFIG}routes:\n  - { domain: "*.peer.test", to: "sip:127.0.0.1:${peerPort}" }\n`);
  });
  afterAll(async () => {
    await herald.stop();
  });

  it('a local user calls a user of a routed domain: the request goes to the route, the dialog through Herald', async () => {
    const peer = startCallee('uas-answer.xml', peerPort, 'u1', 'carol');
    const caller = await call('uac-call.xml', herald.port('udp'), 'u1', 'alice', 'wonderland', 'carol', { calleeDomain: 'sip.peer.test' });
    expect(caller.code).toBe(0);
    expect((await peer.run).code).toBe(0);
  });

  it('a user of another domain calls a local user without being challenged', async () => {
    const contactPort = await freePort();
    const local = startCallee('uas-answer.xml', contactPort, 'u1', 'callee0');
    expect((await registerContact(herald.port('udp'), 'u1', 'callee0', 'pw0', contactPort)).code).toBe(0);
    const caller = await call('uac-call-unauthenticated.xml', herald.port('udp'), 'u1', 'dave', '', 'callee0', { fromDomain: 'sip.peer.test' });
    expect(caller.code).toBe(0);
    expect((await local.run).code).toBe(0);
  });

  it('refuses to relay between two other domains (403)', async () => {
    const caller = await call('uac-call-unauthenticated.xml', herald.port('udp'), 'u1', 'dave', '', 'erin', { fromDomain: 'sip.peer.test', calleeDomain: 'elsewhere.test' });
    expect(caller.code).not.toBe(0);
    expect(caller.output).toMatch(/received 'SIP\/2\.0 403 Relaying Denied/);
  });
});

describe('requests over TLS (RFC 3261 §26.2)', () => {
  let herald: HeraldProcess;
  beforeAll(async () => {
    const { cert, key } = await createTestCertificate();
    const yaml = CONFIG.replace('listen: [', 'listen: ["tls://127.0.0.1:0", ') + 'tls: { cert: cert.pem, key: key.pem }\n';
    herald = await startHerald(yaml, { 'cert.pem': cert, 'key.pem': key });
  });
  afterAll(async () => {
    await herald.stop();
  });

  // Debian's SIPp is built without OpenSSL, so the TLS ends are scripted phones.
  it('a phone on TLS sends a MESSAGE to a phone on TCP, and gets its 200 back over TLS', async () => {
    const recipient = await TcpPhone.register(herald.port('tcp'), 'callee0', 'pw0');
    const sender = await TcpPhone.connect(herald.port('tls'), 'alice', 'wonderland', 'example.com', 'tls');
    try {
      const sent = sender.sendMessage('sip:callee0@example.com', 'from tls');
      const message = await recipient.nextRequest();
      expect(message.topVia.transport).toBe('TCP');
      expect(message.via[1].transport).toBe('TLS');
      await recipient.answer(message);
      expect((await sent).status).toBe(200);
    } finally {
      sender.close();
      recipient.close();
    }
  });

  it('a MESSAGE through SIPp on UDP reaches a phone registered over TLS, on its connection', async () => {
    const phone = await TcpPhone.register(herald.port('tls'), 'callee1', 'pw1', 'example.com', 'tls');
    try {
      const sent = call('uac-message.xml', herald.port('udp'), 'u1', 'alice', 'wonderland', 'callee1', { extra: ['-key', 'text', 'over tls'] });
      const message = await phone.nextRequest();
      expect(message.topVia.transport).toBe('TLS');
      expect(message.body.toString()).toContain('over tls');
      await phone.answer(message);
      expect((await sent).code).toBe(0);
    } finally {
      phone.close();
    }
  });
});
