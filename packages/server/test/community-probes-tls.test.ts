import tls from 'node:tls';
import { createResponse } from '@herald/sip';
import { type NamedServer, StreamClient, type TestPki, createTestPki, freePort, startNamed } from '@herald/test-kit';
import { eventually } from './helpers/eventually.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';

const TOKEN = 'community-probes-token';

interface Connector {
  port: number;
  methods: string[];
  close(): Promise<void>;
}

/** A community's connector over TLS with `identity`'s certificate: answers every request 200. */
async function startTlsConnector(identity: { cert: string; key: string }): Promise<Connector> {
  const methods: string[] = [];
  const server = tls.createServer(identity, (socket) => {
    const client = StreamClient.wrap(socket);
    void (async () => {
      for (;;) {
        const message = await client.nextMessage().catch(() => null);
        if (message === null) return;
        if (!message.isRequest()) continue;
        methods.push(message.method);
        await client.write(createResponse(message, 200).toBuffer()).catch(() => undefined);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, methods, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface Shown {
  communities: Array<{ name: string; connectors: Array<{ connector: string; up: boolean | null; lastStatus: number | null }> }>;
}

/**
 * Issue 16: connectors of TLS communities probed as their requests reach them: a community
 * of wildcard domains only, at level trusted, checks the connector's own name; a connector
 * whose TLS connection fails is down, not up on Herald's own 503.
 */
describe('connector probes of TLS gateway communities', () => {
  let pki: TestPki;
  let named: NamedServer;
  let connector: Connector;
  let herald: HeraldProcess;
  let adminPort: number;

  const show = async () => (await (await fetch(`http://127.0.0.1:${adminPort}/api/communities`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as Shown;

  beforeAll(async () => {
    pki = await createTestPki();
    const [own, gateway] = await Promise.all([pki.ca.leaf('example.com'), pki.ca.leaf('gw.bos.acme.test')]);
    connector = await startTlsConnector(gateway);
    const closedPort = await freePort();
    named = await startNamed([{ origin: 'bos.acme.test', records: ['gw IN A 127.0.0.1'] }]);
    adminPort = await freePort();
    herald = await startHerald(`
domains: [example.com]
listen: ["udp://127.0.0.1:0", "tls://127.0.0.1:0"]
log: { level: info }
auth: { enabled: false }
tls: { cert: ${own.certFile}, key: ${own.keyFile}, systemCa: false }
dns: { servers: ["${named.server}"] }
admin: { listen: "127.0.0.1:${adminPort}", token: "${TOKEN}" }
communities:
  list:
    # Wildcards only: no one domain to check a certificate against; the connector's own name is.
    - { name: boston, domains: ["*.bos.acme.test"], transport: tls, level: trusted, ca: ${pki.ca.certFile}, proxies: ["sip:gw.bos.acme.test:${connector.port}"], probeInterval: 1 }
    # Nothing listens: every TLS connection fails.
    - { name: denver, domains: [den.acme.test], transport: tls, proxies: ["sip:127.0.0.1:${closedPort}"], probeInterval: 1 }
`);
  }, 30_000);
  afterAll(async () => {
    await herald?.stop();
    await connector?.close();
    await named?.stop();
    await pki?.cleanup();
  });

  it('finds the connector of a wildcard-only trusted community up, its certificate checked against its own name', async () => {
    const shown = await eventually(show, (s) => s.communities[0].connectors[0].up !== null, 15_000);
    expect(shown.communities[0].connectors[0]).toMatchObject({ up: true, lastStatus: 200 });
    expect(connector.methods).toContain('OPTIONS');
  }, 30_000);

  it('finds a connector whose TLS connection fails down', async () => {
    const shown = await eventually(show, (s) => s.communities[1].connectors[0].up !== null, 15_000);
    expect(shown.communities[1].connectors[0]).toMatchObject({ up: false, lastStatus: 503 });
  }, 30_000);
});
