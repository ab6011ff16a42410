import { request } from 'node:http';
import { MemoryStore, StoreUnavailableError } from '@herald/store';
import { TEST_ADMIN_TOKEN as TOKEN, startTestAdminServer } from '../../test/helpers/admin-server-fixture.js';
import type { AdminServer } from './admin-server.js';

const auth = { authorization: `Bearer ${TOKEN}` };

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP exchange; `body` as a string or a Buffer, sent as is. */
function call(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body)) }) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function errorCode(reply: Reply): string {
  return (JSON.parse(reply.body) as { error: { code: string } }).error.code;
}

describe('admin HTTP API', () => {
  let store: MemoryStore;
  let admin: AdminServer;
  beforeEach(async () => {
    store = new MemoryStore();
    // As a started Herald leaves it.
    await store.marker.check('started', 1_700_000_000_000);
    admin = await startTestAdminServer(store, { metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'herald_up 1\n' }), now: () => 1_700_000_000_000 });
  });
  afterEach(async () => {
    await admin.close();
    await store.close();
  });

  describe('normal path', () => {
    it('answers /healthz and /metrics without a token', async () => {
      expect(await call(admin.port, 'GET', '/healthz')).toMatchObject({ status: 200, body: '{"status":"ok","store":"ok"}' });
      expect(await call(admin.port, 'GET', '/metrics')).toMatchObject({ status: 200, body: 'herald_up 1\n', headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } });
    });

    it('creates, reads, re-passwords and deletes an account, never showing its HA1s', async () => {
      const created = await call(admin.port, 'POST', '/api/users', auth, JSON.stringify({ user: 'alice', domain: 'Example.COM', password: 'first' }));
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe('/api/users/alice%40example.com');
      expect(JSON.parse(created.body)).toEqual({ user: { user: 'alice', domain: 'example.com', createdAt: '2023-11-14T22:13:20.000Z', updatedAt: '2023-11-14T22:13:20.000Z' } });
      const ha1 = (await store.users.get('alice', 'example.com'))!.ha1Md5;
      const list = await call(admin.port, 'GET', '/api/users?domain=example.com', auth);
      expect(JSON.parse(list.body)).toEqual({ users: [{ user: 'alice', domain: 'example.com', createdAt: '2023-11-14T22:13:20.000Z', updatedAt: '2023-11-14T22:13:20.000Z' }] });
      expect(list.body).not.toContain(ha1);
      expect(JSON.parse((await call(admin.port, 'GET', '/api/users?domain=other.org', auth)).body)).toEqual({ users: [] });
      expect((await call(admin.port, 'GET', '/api/users/sip:alice@example.com', auth)).status).toBe(200);
      expect((await call(admin.port, 'PUT', '/api/users/alice%40example.com/password', auth, '{"password":"second"}')).status).toBe(204);
      expect((await store.users.get('alice', 'example.com'))!.ha1Md5).not.toBe(ha1);
      expect((await call(admin.port, 'DELETE', '/api/users/alice@example.com', auth)).status).toBe(204);
      expect(await store.users.get('alice', 'example.com')).toBeUndefined();
    });

    it('lists the live bindings of an AoR given as a SIP URI or as user@domain', async () => {
      const flow = { id: 'f1', transport: 'udp' as const, owner: 'n/1', localAddress: '127.0.0.1', localPort: 5060, remoteAddress: '::1', remotePort: 5070 };
      const binding = { contact: 'sip:alice@[::1]:5070', params: '', q: 0.5, expiresAt: 1_700_000_060_000, callId: 'c1', cseq: 2, path: [], instanceId: null, regId: null, flow, userAgent: 'SIPp', updatedAt: 1_700_000_000_000 };
      await store.locations.compareAndSet('sip:alice@example.com', 0, [binding], 1_700_000_000_000);
      const expected = { aor: 'sip:alice@example.com', bindings: [{ contact: 'sip:alice@[::1]:5070', expires: 60, q: 0.5, callId: 'c1', cseq: 2, path: [], instanceId: null, regId: null, transport: 'udp', source: '[::1]:5070', userAgent: 'SIPp' }] };
      expect(JSON.parse((await call(admin.port, 'GET', '/api/bindings/sip%3Aalice%40EXAMPLE.com', auth)).body)).toEqual(expected);
      expect(JSON.parse((await call(admin.port, 'GET', '/api/bindings/alice@example.com', auth)).body)).toEqual(expected);
      expect(JSON.parse((await call(admin.port, 'GET', '/api/bindings/bob@example.com', auth)).body)).toEqual({ aor: 'sip:bob@example.com', bindings: [] });
    });
  });

  describe('failure path', () => {
    it('refuses /api/ without the right bearer token, with a challenge', async () => {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` }] as Record<string, string>[]) {
        const r = await call(admin.port, 'GET', '/api/users', headers);
        expect([r.status, r.headers['www-authenticate'], errorCode(r)]).toEqual([401, 'Bearer realm="herald"', 'HERALD_ERR_ADMIN_UNAUTHORIZED']);
      }
      expect((await call(admin.port, 'GET', '/api/nothing-here')).status).toBe(401);
    });

    it('answers an unknown path 404 and a wrong method 405 with Allow', async () => {
      expect(errorCode(await call(admin.port, 'GET', '/api/nothing-here', auth))).toBe('HERALD_ERR_ADMIN_NOT_FOUND');
      const r = await call(admin.port, 'DELETE', '/api/users', auth);
      expect([r.status, r.headers.allow, errorCode(r)]).toEqual([405, 'GET, POST', 'HERALD_ERR_ADMIN_METHOD_NOT_ALLOWED']);
    });

    it('refuses a body over 64 KiB with 413, declared or streamed, and keeps serving', async () => {
      const big = JSON.stringify({ user: 'a', domain: 'example.com', password: 'x'.repeat(70 * 1024) });
      const declared = await call(admin.port, 'POST', '/api/users', auth, big);
      expect([declared.status, errorCode(declared)]).toEqual([413, 'HERALD_ERR_ADMIN_BODY_TOO_LARGE']);
      const streamed = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: admin.port, method: 'POST', path: '/api/users', headers: { ...auth, 'transfer-encoding': 'chunked' } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        for (let i = 0; i < 70; i++) req.write('x'.repeat(1024));
        req.end();
      });
      expect(streamed).toBe(413);
      expect((await call(admin.port, 'GET', '/healthz')).status).toBe(200);
    });

    it('names malformed JSON and bad fields with 400, a clash with 409 and an unknown account with 404', async () => {
      expect(errorCode(await call(admin.port, 'POST', '/api/users', auth, '{"user": '))).toBe('HERALD_ERR_ADMIN_MALFORMED_JSON');
      expect(errorCode(await call(admin.port, 'POST', '/api/users', auth, '[1]'))).toBe('HERALD_ERR_ADMIN_MALFORMED_JSON');
      expect(errorCode(await call(admin.port, 'POST', '/api/users', auth, ''))).toBe('HERALD_ERR_ADMIN_MALFORMED_JSON');
      for (const [body, field] of [
        [{ domain: 'example.com', password: 'p' }, 'user'],
        [{ user: 'a b', domain: 'example.com', password: 'p' }, 'user'],
        [{ user: 'a@b', domain: 'example.com', password: 'p' }, 'user'],
        [{ user: 'alice', domain: 'elsewhere.org', password: 'p' }, 'domain'],
        [{ user: 'alice', domain: 'example.com', password: '' }, 'password'],
        [{ user: 'alice', domain: 'example.com', password: 7 }, 'password'],
      ] as const) {
        const r = await call(admin.port, 'POST', '/api/users', auth, JSON.stringify(body));
        expect([r.status, errorCode(r), (JSON.parse(r.body) as { error: { message: string } }).error.message.split(' ')[0]]).toEqual([400, 'HERALD_ERR_ADMIN_INVALID_FIELD', field]);
      }
      expect((await call(admin.port, 'POST', '/api/users', auth, '{"user":"alice","domain":"example.com","password":"p"}')).status).toBe(201);
      expect(errorCode(await call(admin.port, 'POST', '/api/users', auth, '{"user":"alice","domain":"example.com","password":"q"}'))).toBe('HERALD_ERR_ADMIN_USER_EXISTS');
      expect(errorCode(await call(admin.port, 'PUT', '/api/users/bob@example.com/password', auth, '{"password":"q"}'))).toBe('HERALD_ERR_ADMIN_NO_SUCH_USER');
      expect(errorCode(await call(admin.port, 'DELETE', '/api/users/bob@example.com', auth))).toBe('HERALD_ERR_ADMIN_NO_SUCH_USER');
      expect(errorCode(await call(admin.port, 'DELETE', '/api/users/nobody', auth))).toBe('HERALD_ERR_ADMIN_BAD_ADDRESS');
      expect(errorCode(await call(admin.port, 'GET', '/api/bindings/%E0%A4%A', auth))).toBe('HERALD_ERR_ADMIN_BAD_PATH');
      expect(errorCode(await call(admin.port, 'GET', 'http://[', auth))).toBe('HERALD_ERR_ADMIN_BAD_PATH');
      expect(errorCode(await call(admin.port, 'GET', '/api/bindings/sip%3Aexample.com', auth))).toBe('HERALD_ERR_ADMIN_BAD_ADDRESS');
    });

    it('answers 503 with Retry-After when the store is unavailable, and /healthz says why', async () => {
      const down = (): Promise<never> => Promise.reject(new StoreUnavailableError('redis is down'));
      store.users.list = down;
      store.ping = down;
      const r = await call(admin.port, 'GET', '/api/users', auth);
      expect([r.status, r.headers['retry-after'], errorCode(r)]).toEqual([503, '5', 'HERALD_ERR_ADMIN_STORE_UNAVAILABLE']);
      expect(await call(admin.port, 'GET', '/healthz')).toMatchObject({ status: 503, body: '{"status":"unavailable","store":"redis is down"}' });
    });

    it('answers /healthz 503 while the store is without its marker (emptied), then says when it was found empty', async () => {
      store.marker.clear();
      const emptied = await call(admin.port, 'GET', '/healthz');
      expect(emptied.status).toBe(503);
      expect(JSON.parse(emptied.body)).toEqual({ status: 'unavailable', store: expect.stringContaining('found empty') });
      await store.marker.check('reseeded', 1_700_000_005_000, 'started');
      expect(await call(admin.port, 'GET', '/healthz')).toMatchObject({ status: 200, body: '{"status":"ok","store":"ok","storeFoundEmptyAt":"2023-11-14T22:13:25.000Z"}' });
    });

    it('answers anything else 500 without detail', async () => {
      store.users.list = () => Promise.reject(new Error('a bug'));
      const r = await call(admin.port, 'GET', '/api/users', auth);
      expect([r.status, errorCode(r)]).toEqual([500, 'HERALD_ERR_ADMIN_INTERNAL']);
      expect(r.body).not.toContain('a bug');
    });
  });
});
