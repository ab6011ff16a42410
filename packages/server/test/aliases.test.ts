import { join } from 'node:path';
import { adminUrl } from './helpers/admin-client.js';
import { eventually } from './helpers/eventually.js';
import { type HeraldProcess, runHerald, startHerald } from './helpers/herald-process.js';
import { TcpPhone } from './helpers/tcp-phone.js';

const TOKEN = 'e2e-admin-token-0123456789abcdef';

const CONFIG = `
domains: [dc.acme.test, acme.test]
listen: ["tcp://127.0.0.1:0"]
log: { level: info }
admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }
users:
  - { user: asmith, domain: dc.acme.test, password: "wonderland" }
  - { user: bob, domain: dc.acme.test, password: "builder" }
`;

describe('herald user alias on the running server\'s embedded store', () => {
  let herald: HeraldProcess;
  let config: string;
  const alias = (...args: string[]) => runHerald(['user', 'alias', ...args, '--config', config], herald.dir);
  const api = async (path: string) => (await fetch(`${adminUrl(herald)}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();

  beforeAll(async () => {
    herald = await startHerald(CONFIG);
    config = join(herald.dir, 'herald.yaml');
  });
  afterAll(async () => {
    await herald.stop();
  });

  describe('normal path', () => {
    it('adds an alias the running server routes to the account at once, marked external, lists it, and deletes it', async () => {
      const bob = await TcpPhone.connect(herald.port('tcp'), 'bob', 'builder', 'dc.acme.test');
      try {
        // The server has read (and cached) the aliases before the CLI writes one.
        expect((await bob.sendMessage('sip:Alice_Smith@acme.test', 'before')).status).toBe(404);

        expect(await alias('add', 'Alice_Smith@acme.test', 'asmith@dc.acme.test', '--external')).toEqual({
          code: 0,
          stdout: 'added sip:Alice_Smith@acme.test as an alias of sip:asmith@dc.acme.test, its external form\n',
          stderr: '',
        });
        expect((await alias('add', 'sip:a.smith@DC.acme.test', 'sip:asmith@dc.acme.test')).code).toBe(0);
        expect((await alias('list')).stdout).toBe('sip:Alice_Smith@acme.test sip:asmith@dc.acme.test external\nsip:a.smith@dc.acme.test sip:asmith@dc.acme.test\n');
        expect((await alias('list', 'bob@dc.acme.test')).stdout).toBe('');
        expect(await api('/api/users/asmith@dc.acme.test/aliases')).toEqual({ aliases: ['sip:Alice_Smith@acme.test', 'sip:a.smith@dc.acme.test'], external: 'sip:Alice_Smith@acme.test' });

        // asmith is offline: the MESSAGE to the alias is kept for the account.
        const sent = await eventually(() => bob.sendMessage('sip:Alice_Smith@acme.test', 'to the alias'), (r) => r.status !== 404);
        expect(sent.status).toBe(202);
        const stored = (await api(`/api/messages/${encodeURIComponent('sip:asmith@dc.acme.test')}`)) as { messages: Array<{ body: string }> };
        expect(stored.messages.map((m) => m.body)).toEqual(['to the alias']);

        expect((await alias('external', 'asmith@dc.acme.test', 'a.smith@dc.acme.test')).stdout).toBe('sip:a.smith@dc.acme.test is the external form of sip:asmith@dc.acme.test now\n');
        expect((await alias('external', 'asmith@dc.acme.test', '--clear')).stdout).toBe('sip:asmith@dc.acme.test has no external form now\n');
        expect(await api('/api/users/asmith@dc.acme.test/aliases')).toMatchObject({ external: null });

        expect(await alias('del', 'Alice_Smith@acme.test')).toMatchObject({ code: 0, stdout: 'deleted sip:Alice_Smith@acme.test, an alias of sip:asmith@dc.acme.test\n' });
        const after = await eventually(() => bob.sendMessage('sip:Alice_Smith@acme.test', 'after'), (r) => r.status === 404);
        expect(after.status).toBe(404);
        expect((await alias('list')).stdout).toBe('sip:a.smith@dc.acme.test sip:asmith@dc.acme.test\n');
      } finally {
        bob.close();
      }
    });
  });

  describe('failure path', () => {
    it.each([
      [['add', 'asmith@other.test', 'asmith@dc.acme.test'], 'other.test is not a served domain, so no request could reach sip:asmith@other.test: add other.test to domains'],
      [['add', 'bob@dc.acme.test', 'asmith@dc.acme.test'], 'sip:bob@dc.acme.test is an account itself'],
      [['add', 'x@acme.test', 'nobody@dc.acme.test'], 'there is no account nobody@dc.acme.test'],
      [['del', 'nobody@acme.test'], 'sip:nobody@acme.test is not an alias'],
      [['external', 'bob@dc.acme.test', 'Alice_Smith@acme.test'], 'sip:Alice_Smith@acme.test is not an alias of sip:bob@dc.acme.test'],
    ])('refuses %j with exit code 1 and one line saying why', async (args, why) => {
      const r = await alias(...args);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith(`herald user alias ${args[0]}: `)).toBe(true);
      expect(r.stderr).toContain(why);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    });

    it('refuses an alias of another account until it is deleted there, and an account by an alias\'s name', async () => {
      expect((await alias('add', 'desk@acme.test', 'bob@dc.acme.test')).code).toBe(0);
      const taken = await alias('add', 'desk@acme.test', 'asmith@dc.acme.test');
      expect([taken.code, taken.stderr]).toEqual([1, 'herald user alias add: sip:desk@acme.test is already an alias of sip:bob@dc.acme.test; remove it from sip:bob@dc.acme.test first\n']);
      const account = await runHerald(['user', 'add', 'desk@acme.test', '--password', 'x', '--config', config], herald.dir);
      expect([account.code, account.stderr]).toEqual([1, 'herald user add: sip:desk@acme.test is an alias of sip:bob@dc.acme.test; delete the alias first\n']);
      expect((await alias('del', 'desk@acme.test')).code).toBe(0);
      expect((await alias('add', 'desk@acme.test', 'asmith@dc.acme.test')).code).toBe(0);
      expect((await alias('del', 'desk@acme.test')).code).toBe(0);
    });

    it.each([
      [['add', 'x@acme.test'], 'give the alias, then the account'],
      [['del', 'x@acme.test', '--external'], '--external does not go with del'],
      [['external', 'asmith@dc.acme.test'], 'give the account, then the alias or --clear'],
      [['rename', 'x@acme.test'], 'unknown action "rename"'],
    ])('answers bad arguments %j with exit code 2 and the usage', async (args, why) => {
      const r = await alias(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(why);
      expect(r.stderr).toContain('Usage: herald user alias');
    });
  });
});
