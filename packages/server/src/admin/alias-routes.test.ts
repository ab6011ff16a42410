import { MemoryStore, StoreUnavailableError } from '@herald/store';
import { TEST_ADMIN_TOKEN as TOKEN, startTestAdminServer } from '../../test/helpers/admin-server-fixture.js';
import { putAccount } from '../accounts.js';
import type { AdminServer } from './admin-server.js';

const ASMITH = 'sip:asmith@dc.acme.test';
const SMITH = 'sip:Alice_Smith@acme.test';

describe('admin HTTP API: aliases', () => {
  let store: MemoryStore;
  let admin: AdminServer;
  const api = (method: string, path: string, body?: string, token = TOKEN) =>
    fetch(`http://127.0.0.1:${admin.port}${path}`, { method, headers: { authorization: `Bearer ${token}` }, ...(body !== undefined && { body }) });
  const json = async (r: Response) => [r.status, await r.json()] as const;
  const errorOf = async (r: Response) => [r.status, ((await r.json()) as { error: { code: string; message: string } }).error] as const;
  const aliasesOf = async (account: string) => (await (await api('GET', `/api/users/${account}/aliases`)).json()) as { aliases: string[]; external: string | null };

  beforeEach(async () => {
    store = new MemoryStore();
    await putAccount(store.users, 'asmith', 'dc.acme.test', 'secret', 0);
    await putAccount(store.users, 'bob', 'dc.acme.test', 'secret', 0);
    admin = await startTestAdminServer(store, { domains: ['dc.acme.test', 'acme.test'] });
  });
  afterEach(async () => {
    await admin.close();
    await store.close();
  });

  describe('normal path', () => {
    it('adds an alias the location service then resolves, marked external on request, and lists it', async () => {
      expect(await aliasesOf('asmith@dc.acme.test')).toEqual({ aliases: [], external: null });
      expect(await json(await api('PUT', '/api/users/asmith@dc.acme.test/aliases/Alice_Smith@acme.test', '{"external": true}'))).toEqual([201, { alias: SMITH, account: ASMITH, external: true }]);
      expect(await json(await api('PUT', `/api/users/${encodeURIComponent(ASMITH)}/aliases/${encodeURIComponent('sip:a.smith@DC.ACME.TEST')}`))).toEqual([
        201,
        { alias: 'sip:a.smith@dc.acme.test', account: ASMITH, external: false },
      ]);
      await expect(store.users.resolveAlias(SMITH)).resolves.toBe(ASMITH);
      await expect(store.users.externalAliasOf(ASMITH)).resolves.toBe(SMITH);
      expect(await aliasesOf('asmith@dc.acme.test')).toEqual({ aliases: [SMITH, 'sip:a.smith@dc.acme.test'], external: SMITH });
      expect(await json(await api('GET', '/api/aliases'))).toEqual([
        200,
        {
          aliases: [
            { alias: SMITH, account: ASMITH, external: true },
            { alias: 'sip:a.smith@dc.acme.test', account: ASMITH, external: false },
          ],
        },
      ]);
    });

    it('moves the external mark with PUT external true, takes it off with false, and leaves it without the field', async () => {
      await api('PUT', '/api/users/asmith@dc.acme.test/aliases/Alice_Smith@acme.test', '{"external": true}');
      await api('PUT', '/api/users/asmith@dc.acme.test/aliases/a.smith@dc.acme.test');
      expect(await json(await api('PUT', '/api/users/asmith@dc.acme.test/aliases/a.smith@dc.acme.test', '{"external": true}'))).toEqual([
        200,
        { alias: 'sip:a.smith@dc.acme.test', account: ASMITH, external: true },
      ]);
      expect((await aliasesOf('asmith@dc.acme.test')).external).toBe('sip:a.smith@dc.acme.test');
      expect(await json(await api('PUT', '/api/users/asmith@dc.acme.test/aliases/a.smith@dc.acme.test', '{}'))).toEqual([200, { alias: 'sip:a.smith@dc.acme.test', account: ASMITH, external: true }]);
      expect((await api('PUT', '/api/users/asmith@dc.acme.test/aliases/Alice_Smith@acme.test', '{"external": false}')).status).toBe(200);
      expect((await aliasesOf('asmith@dc.acme.test')).external).toBe('sip:a.smith@dc.acme.test');
      expect((await api('PUT', '/api/users/asmith@dc.acme.test/aliases/a.smith@dc.acme.test', '{"external": false}')).status).toBe(200);
      expect((await aliasesOf('asmith@dc.acme.test')).external).toBeNull();
    });

    it('deletes an alias, and its external mark with it', async () => {
      await api('PUT', '/api/users/asmith@dc.acme.test/aliases/Alice_Smith@acme.test', '{"external": true}');
      expect((await api('DELETE', '/api/users/asmith@dc.acme.test/aliases/sip:Alice_Smith@acme.test')).status).toBe(204);
      await expect(store.users.resolveAlias(SMITH)).resolves.toBeUndefined();
      expect(await aliasesOf('asmith@dc.acme.test')).toEqual({ aliases: [], external: null });
    });
  });

  describe('failure path', () => {
    it('refuses an alias outside the served domains, one that is an account, and another account\'s alias, saying why', async () => {
      await api('PUT', '/api/users/bob@dc.acme.test/aliases/builder@acme.test');
      const cases = [
        ['/api/users/asmith@dc.acme.test/aliases/asmith@other.test', 400, 'HERALD_ERR_ADMIN_ALIAS_NOT_SERVED', 'other.test is not a served domain'],
        ['/api/users/asmith@dc.acme.test/aliases/bob@dc.acme.test', 409, 'HERALD_ERR_ADMIN_ALIAS_IS_ACCOUNT', 'is an account itself'],
        ['/api/users/asmith@dc.acme.test/aliases/builder@acme.test', 409, 'HERALD_ERR_ADMIN_ALIAS_TAKEN', 'already an alias of sip:bob@dc.acme.test'],
        ['/api/users/nobody@dc.acme.test/aliases/x@acme.test', 404, 'HERALD_ERR_ADMIN_NO_SUCH_USER', 'there is no account nobody@dc.acme.test'],
        ['/api/users/asmith@dc.acme.test/aliases/no%20body@acme.test', 400, 'HERALD_ERR_ADMIN_BAD_ADDRESS', 'is not an alias address'],
        ['/api/users/asmith/aliases/x@acme.test', 400, 'HERALD_ERR_ADMIN_BAD_ADDRESS', 'is not an account address'],
      ] as const;
      for (const [path, status, code, message] of cases) {
        const [s, error] = await errorOf(await api('PUT', path));
        expect([path, s, error.code, error.message]).toEqual([path, status, code, expect.stringContaining(message)]);
      }
      await expect(store.users.aliasesOf(ASMITH)).resolves.toEqual([]);
      await expect(store.users.resolveAlias('sip:builder@acme.test')).resolves.toBe('sip:bob@dc.acme.test');
    });

    it('refuses an account whose name is an alias already with 409', async () => {
      await api('PUT', '/api/users/asmith@dc.acme.test/aliases/Alice_Smith@acme.test');
      const [status, error] = await errorOf(await api('POST', '/api/users', JSON.stringify({ user: 'Alice_Smith', domain: 'acme.test', password: 'x' })));
      expect([status, error.code, error.message]).toEqual([409, 'HERALD_ERR_ADMIN_NAME_IS_ALIAS', 'sip:Alice_Smith@acme.test is an alias of sip:asmith@dc.acme.test; delete the alias first']);
      await expect(store.users.get('Alice_Smith', 'acme.test')).resolves.toBeUndefined();
    });

    it('answers 404 for an alias the account does not have, and 400 for an external field that is no boolean', async () => {
      await api('PUT', '/api/users/bob@dc.acme.test/aliases/builder@acme.test');
      const [status, error] = await errorOf(await api('DELETE', '/api/users/asmith@dc.acme.test/aliases/builder@acme.test'));
      expect([status, error.code, error.message]).toEqual([404, 'HERALD_ERR_ADMIN_NO_SUCH_ALIAS', 'sip:builder@acme.test is not an alias of sip:asmith@dc.acme.test']);
      await expect(store.users.resolveAlias('sip:builder@acme.test')).resolves.toBe('sip:bob@dc.acme.test');
      expect((await errorOf(await api('PUT', '/api/users/bob@dc.acme.test/aliases/builder@acme.test', '{"external": "yes"}')))[1].code).toBe('HERALD_ERR_ADMIN_INVALID_FIELD');
      expect((await errorOf(await api('GET', '/api/users/nobody@dc.acme.test/aliases')))[0]).toBe(404);
    });

    it('is behind the token, and answers 503 when the store is unavailable', async () => {
      expect((await api('GET', '/api/aliases', undefined, 'wrong')).status).toBe(401);
      expect((await api('PUT', '/api/users/asmith@dc.acme.test/aliases/x@acme.test', undefined, 'wrong')).status).toBe(401);
      store.users.addAlias = () => Promise.reject(new StoreUnavailableError('redis is down'));
      expect((await errorOf(await api('PUT', '/api/users/asmith@dc.acme.test/aliases/x@acme.test')))[1].code).toBe('HERALD_ERR_ADMIN_STORE_UNAVAILABLE');
    });
  });
});
