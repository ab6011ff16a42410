import { adminUrl } from './helpers/admin-client.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { sippRegister } from './helpers/sipp-register.js';

const TOKEN = 'e2e-admin-token-0123456789abcdef';

const CONFIG = `
domains: [example.com]
listen: ["udp://127.0.0.1:0"]
log: { level: info }
admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }
`;


describe('admin HTTP API and metrics of the running daemon', () => {
  let herald: HeraldProcess;
  let base: string;
  const api = (path: string, init: RequestInit = {}, token = TOKEN) =>
    fetch(base + path, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });

  beforeAll(async () => {
    herald = await startHerald(CONFIG);
    base = adminUrl(herald);
  });
  afterAll(async () => {
    await herald.stop();
  });

  describe('normal path', () => {
    it('reports itself healthy, store included, without a token', async () => {
      const r = await fetch(`${base}/healthz`);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ status: 'ok', store: 'ok' });
    });

    it('adds an account that SIPp then registers with, and lists its binding while registered', async () => {
      const created = await api('/api/users', { method: 'POST', body: JSON.stringify({ user: 'carol', domain: 'example.com', password: 'first' }) });
      expect(created.status).toBe(201);
      const listed = (await (await api('/api/users')).json()) as { users: Record<string, unknown>[] };
      expect(listed.users).toEqual([{ user: 'carol', domain: 'example.com', createdAt: expect.any(String), updatedAt: expect.any(String) }]);
      expect((await api('/api/users/carol@example.com/password', { method: 'PUT', body: JSON.stringify({ password: 'second' }) })).status).toBe(204);

      const port = herald.port('udp');
      expect((await sippRegister(port, 'register-wrong-password.xml', 'u1', 'carol', 'first')).code).toBe(0);
      const run = await sippRegister(port, 'register-stay.xml', 'u1', 'carol', 'second');
      expect(run.output).not.toMatch(/Failed call\s*\|\s*[1-9]/);
      expect(run.code).toBe(0);

      const bindings = (await (await api(`/api/bindings/${encodeURIComponent('sip:carol@example.com')}`)).json()) as { aor: string; bindings: Record<string, unknown>[] };
      expect(bindings.aor).toBe('sip:carol@example.com');
      expect(bindings.bindings).toHaveLength(1);
      expect(bindings.bindings[0]).toMatchObject({ contact: expect.stringMatching(/^sip:carol@127\.0\.0\.1:\d+;transport=UDP$/i), transport: 'udp', source: expect.stringMatching(/^127\.0\.0\.1:\d+$/), userAgent: 'SIPp', cseq: 2 });
      expect(bindings.bindings[0].expires).toBeGreaterThan(290);
      expect(bindings.bindings[0].expires).toBeLessThanOrEqual(300);
      expect(await (await api('/api/bindings/carol@example.com')).json()).toEqual(bindings);

      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(Number(/^herald_sip_requests_total\{method="REGISTER"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
      expect(metrics).toMatch(/^herald_registered_aors 1$/m);
      expect(metrics).toMatch(/^herald_registrations_total\{result="ok"\} 1$/m);
      expect(metrics).toMatch(/^herald_registrations_total\{result="challenged"\} [1-9]/m);
      expect(metrics).toMatch(/^herald_auth_failures_total\{reason="wrong-password"\} [1-9]/m);
      expect(metrics).toMatch(/^herald_sip_responses_total\{method="REGISTER",status="401"\} [1-9]/m);
      expect(metrics).toMatch(/^herald_transactions_in_flight\{kind="non_invite_server"\} \d+$/m);
      expect(metrics).toMatch(/^herald_store_operation_seconds_count\{store="locations",operation="compareAndSet"\} [1-9]/m);
      expect(metrics).toMatch(/^herald_dns_queries_total\{type="SRV",result="answer"\} 0$/m);

      expect((await api('/api/users/carol@example.com', { method: 'DELETE' })).status).toBe(204);
      expect(await (await api('/api/users')).json()).toEqual({ users: [] });
      expect((await sippRegister(port, 'register-wrong-password.xml', 'u1', 'carol', 'second')).code).toBe(0);
    });
  });

  describe('failure path', () => {
    it('refuses /api/ without a token and with a wrong one', async () => {
      for (const headers of [{}, { authorization: 'Bearer not-the-token' }] as Record<string, string>[]) {
        const r = await fetch(`${base}/api/users`, { headers });
        expect(r.status).toBe(401);
        expect(r.headers.get('www-authenticate')).toBe('Bearer realm="herald"');
        expect(await r.json()).toEqual({ error: { code: 'HERALD_ERR_ADMIN_UNAUTHORIZED', message: expect.any(String) } });
      }
    });

    it('refuses a body over 64 KiB with 413 and malformed JSON with 400, and keeps serving', async () => {
      const big = await api('/api/users', { method: 'POST', body: JSON.stringify({ user: 'dave', domain: 'example.com', password: 'x'.repeat(65 * 1024) }) });
      expect(big.status).toBe(413);
      expect(((await big.json()) as { error: { code: string } }).error.code).toBe('HERALD_ERR_ADMIN_BODY_TOO_LARGE');
      const malformed = await api('/api/users', { method: 'POST', body: '{"user": "dave", ' });
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('HERALD_ERR_ADMIN_MALFORMED_JSON');
      expect((await api('/api/users/dave@example.com', { method: 'GET' })).status).toBe(404);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(herald.child.exitCode).toBeNull();
    });
  });
});
