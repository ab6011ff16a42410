import { freePort } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { type SippTransport, call, registerContact, startCallee } from './helpers/sipp-call.js';

const CONFIG = `
domains: [example.com]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0"]
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

  async function callee(user: string, scenario: string, transport: SippTransport, q?: string) {
    const password = `pw${user.slice('callee'.length)}`;
    const contactPort = await freePort();
    const callee = startCallee(scenario, contactPort, transport, user);
    await callee.ready;
    const reg = await registerContact(port(transport), transport, user, password, contactPort, q);
    expect(reg.output).not.toMatch(/Failed call\s*\|\s*[1-9]/);
    expect(reg.code).toBe(0);
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

    it('nobody answers: after proxy.inviteTimeout Herald cancels the branch and answers 408', async () => {
      const bob = nextCallee();
      const ringing = await callee(bob, 'uas-ring.xml', 'u1');
      const caller = await call('uac-noanswer.xml', port('u1'), 'u1', 'alice', 'wonderland', bob);
      expect(caller.code).toBe(0);
      expect((await ringing.finished).code).toBe(0);
    });
  });
});
