import { adminUrl, bindingsOf } from './helpers/admin-client.js';
import { eventually } from './helpers/eventually.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { registerOnce, sipJsPhone } from './helpers/sipjs.js';

const TOKEN = 'e2e-admin-token-0123456789abcdef';

const CONFIG = `
domains: [example.com]
listen: ["ws://127.0.0.1:0/"]
log: { level: info }
admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }
users: [{ user: bob, domain: example.com, password: "builder" }]
`;

describe('bindings tied to their flow (RFC 5626, RFC 7118)', () => {
  let herald: HeraldProcess;
  let base: string;
  beforeAll(async () => {
    herald = await startHerald(CONFIG);
    base = adminUrl(herald);
  });
  afterAll(async () => {
    await herald.stop();
  });

  it.each([true, false])('drops the binding of a WebSocket client (outbound: %s) when its connection closes', async (outbound) => {
    const phone = await sipJsPhone(`ws://127.0.0.1:${herald.port('ws')}/`, 'sip:bob@example.com', 'builder', { outbound });
    try {
      expect(await registerOnce(phone)).toBe(200);
      const [binding] = await bindingsOf(base, TOKEN, 'sip:bob@example.com');
      expect(binding).toMatchObject({ transport: 'ws', contact: expect.stringMatching(/\.invalid;transport=ws$/) });
      if (outbound) expect(binding).toMatchObject({ regId: 1, instanceId: expect.stringMatching(/^urn:uuid:/) });
      else expect(binding).toMatchObject({ regId: null, instanceId: null });

      await phone.ua.transport.disconnect();
      const after = await eventually(() => bindingsOf(base, TOKEN, 'sip:bob@example.com'), (b) => b.length === 0);
      expect(after).toEqual([]);
    } finally {
      await phone.stop();
    }
  });
});
