import { join } from 'node:path';
import { RegistererState } from 'sip.js';
import { type HeraldProcess, runHerald, startHerald } from './helpers/herald-process.js';
import { runBaresip } from './helpers/baresip.js';
import { registerOnce, sipJsPhone } from './helpers/sipjs.js';
import { sippRegister } from './helpers/sipp-register.js';

const CONFIG = `
domains: [example.com]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0", "ws://127.0.0.1:0/"]
log: { level: info }
users:
  - { user: alice, domain: example.com, password: "wonderland" }
  - { user: bob, domain: example.com, password: "builder" }
`;

function register(herald: HeraldProcess, scenario: string, transport: 'u1' | 't1', user: string, password: string) {
  return sippRegister(herald.port(transport === 'u1' ? 'udp' : 'tcp'), scenario, transport, user, password);
}

describe('registration with digest authentication (RFC 3261 §10, §22)', () => {
  let herald: HeraldProcess;
  beforeAll(async () => {
    herald = await startHerald(CONFIG);
  });
  afterAll(async () => {
    await herald.stop();
  });

  describe('normal path', () => {
    it.each(['u1', 't1'] as const)('SIPp over %s: 401, 200 with the contact, refresh, unregister', async (transport) => {
      const run = await register(herald, 'register-digest.xml', transport, 'alice', 'wonderland');
      expect(run.output).not.toMatch(/Failed call\s*\|\s*[1-9]/);
      expect(run.code).toBe(0);
    });

    it('baresip registers over UDP and TCP (challenged with MD5 alone)', async () => {
      for (const transport of ['udp', 'tcp'] as const) {
        const run = await runBaresip(herald.port(transport), transport, 'sip:alice@example.com', 'wonderland', 2);
        expect(run.registerStatuses.slice(0, 2)).toEqual([401, 200]);
        expect(run.output).not.toMatch(/Register: /);
      }
    });

    it('SIP.js over WebSocket registers, refreshes and unregisters', async () => {
      const phone = await sipJsPhone(`ws://127.0.0.1:${herald.port('ws')}/`, 'sip:bob@example.com', 'builder');
      try {
        expect(await registerOnce(phone)).toBe(200);
        expect(phone.registerer.state).toBe(RegistererState.Registered);
        // A refresh answers the last challenge with the next nonce-count (RFC 7616 §3.4).
        expect(await registerOnce(phone)).toBe(200);
        expect(await registerOnce(phone, true)).toBe(200);
        expect(phone.registerer.state).toBe(RegistererState.Unregistered);
      } finally {
        await phone.stop();
      }
    });
  });

  describe('failure path', () => {
    it('SIPp with a wrong password gets a fresh challenge', async () => {
      const run = await register(herald, 'register-wrong-password.xml', 'u1', 'alice', 'not-the-password');
      expect(run.code).toBe(0);
    });

    it('SIP.js with a wrong password is refused', async () => {
      const phone = await sipJsPhone(`ws://127.0.0.1:${herald.port('ws')}/`, 'sip:bob@example.com', 'wrong');
      try {
        expect(await registerOnce(phone)).toBe(401);
        expect(phone.registerer.state).not.toBe(RegistererState.Registered);
      } finally {
        await phone.stop();
      }
    });

    it("an authenticated user may not register another user's AoR", async () => {
      const run = await register(herald, 'register-other-aor.xml', 'u1', 'alice', 'wonderland');
      expect(run.code).toBe(0);
    });
  });
});

describe('herald user', () => {
  it('adds, lists, changes and deletes accounts in the embedded store, and an added user can register', async () => {
    const herald = await startHerald(CONFIG.replace(/users:[\s\S]*$/, ''));
    const config = join(herald.dir, 'herald.yaml');
    try {
      const add = await runHerald(['user', 'add', 'carol@example.com', '--password', 'first', '--config', config], herald.dir);
      expect(add).toMatchObject({ code: 0, stdout: 'created carol@example.com\n' });
      expect((await runHerald(['user', 'add', 'carol@example.com', '--password', 'x', '--config', config], herald.dir)).code).toBe(1);
      expect((await runHerald(['user', 'passwd', 'carol@example.com', '--password', 'second', '--config', config], herald.dir)).code).toBe(0);
      expect((await runHerald(['user', 'list', '--config', config], herald.dir)).stdout).toBe('carol@example.com\n');

      const refused = await register(herald, 'register-wrong-password.xml', 'u1', 'carol', 'first');
      expect(refused.code).toBe(0);
      const run = await register(herald, 'register-digest.xml', 'u1', 'carol', 'second');
      expect(run.code).toBe(0);

      expect((await runHerald(['user', 'del', 'carol@example.com', '--config', config], herald.dir)).code).toBe(0);
      expect((await runHerald(['user', 'list', '--config', config], herald.dir)).stdout).toBe('');
      expect((await runHerald(['user', 'del', 'carol@example.com', '--config', config], herald.dir)).code).toBe(1);
    } finally {
      await herald.stop();
    }
  });

  it('names the problem with a bad address', async () => {
    const r = await runHerald(['user', 'add', 'carol', '--password', 'x'], '/tmp');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give the account as user@domain');
  });
});
