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
  - { user: bob, domain: example.com, password: "builder" }
  - { user: carol, domain: example.com, password: "singer" }
`;

const PASSWORDS: Record<string, string> = { alice: 'wonderland', bob: 'builder', carol: 'singer' };

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
    const contactPort = await freePort();
    const callee = startCallee(scenario, contactPort, transport, user);
    await callee.ready;
    const reg = await registerContact(port(transport), transport, user, PASSWORDS[user], contactPort, q);
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
      const answered = await callee('bob', 'uas-answer.xml', calleeT);
      const caller = await call('uac-call.xml', port(callerT), callerT, 'alice', 'wonderland', 'bob');
      expect(caller.output).toContain('Successful call');
      expect(caller.code).toBe(0);
      expect((await answered.finished).code).toBe(0);
    });
  });
});
