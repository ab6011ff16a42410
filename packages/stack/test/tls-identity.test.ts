import net from 'node:net';
import { X509Certificate } from 'node:crypto';
import { type SipRequest, parseMessage } from '@herald/sip';
import { type TestIdentity, type TestPki, Inbox, StreamClient, WsClient, clientCaNames, createTestPki, requestText } from '@herald/test-kit';
import { type LimitName, type TlsOptions, certificateFingerprints, trustedCertificates } from '../src/index.js';
import { type RunningLayer, startLayer } from './helpers/start-layer.js';

let pki: TestPki;
let herald: TestIdentity;
let peer: TestIdentity;
let trust: string[];

beforeAll(async () => {
  pki = await createTestPki();
  [herald, peer] = await Promise.all([pki.ca.leaf('herald.test', { ips: ['127.0.0.1'] }), pki.ca.leaf('peer.test', { ips: ['127.0.0.1'] })]);
  trust = trustedCertificates({ systemCa: false, caFiles: [pki.ca.certFile] });
}, 30_000);
afterAll(() => pki.cleanup());

function tlsOf(identity: TestIdentity, ca: string[] = trust): TlsOptions {
  return { cert: identity.cert, key: identity.key, ca };
}

function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

function request(callId: string): SipRequest {
  return parseMessage(Buffer.from(requestText({ transport: 'TLS', sentBy: 'herald.invalid', callId }))) as SipRequest;
}

const runs: RunningLayer[] = [];
const clients: Array<{ destroy(): void }> = [];

async function layer(...args: Parameters<typeof startLayer>): Promise<RunningLayer> {
  const run = await startLayer(...args);
  runs.push(run);
  return run;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(runs.splice(0).map((r) => r.layer.stop()));
});

describe('RFC 5922 §7.1 client certificates on accepted TLS connections', () => {
  async function connect(port: number, identity?: TestIdentity): Promise<StreamClient> {
    const client = await StreamClient.connect('tls', port, '127.0.0.1', identity && { cert: identity.cert, key: identity.key });
    clients.push(client);
    return client;
  }

  it('lets a client without a certificate in on a listener that requests one', async () => {
    const run = await layer([{ transport: 'tls', host: '127.0.0.1', port: 0 }], { tls: tlsOf(herald) });
    const client = await connect(run.port('tls'));
    await client.write(requestText({ transport: 'TLS' }));
    const { flow } = await run.received.next();
    expect(flow.transport).toBe('tls');
    expect(flow.peerCertificate).toBeUndefined();
  });

  it('records the identities and verified chain of a CA-signed client', async () => {
    const run = await layer([{ transport: 'tls', host: '127.0.0.1', port: 0 }], { tls: tlsOf(herald) });
    const client = await connect(run.port('tls'), peer);
    await client.write(requestText({ transport: 'TLS' }));
    const { flow } = await run.received.next();
    expect(flow.peerCertificate).toEqual({ identities: ['peer.test'], authorized: true, chain: [fingerprint(peer.cert), fingerprint(pki.ca.cert)] });
    expect(run.layer.peerFlows()).toEqual([flow]);
  });

  it('keeps a self-signed client connected, recorded as not authorized', async () => {
    const impostor = await pki.selfSigned('peer.test');
    const run = await layer([{ transport: 'tls', host: '127.0.0.1', port: 0 }], { tls: tlsOf(herald) });
    const client = await connect(run.port('tls'), impostor);
    await client.write(requestText({ transport: 'TLS' }));
    const { flow } = await run.received.next();
    expect(flow.peerCertificate).toEqual({ identities: ['peer.test'], authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT', chain: [fingerprint(impostor.cert)] });
  });

  it('asks for no certificate on a listener with clientCert none', async () => {
    const run = await layer([{ transport: 'tls', host: '127.0.0.1', port: 0, clientCert: 'none' }], { tls: tlsOf(herald) });
    const client = await connect(run.port('tls'), peer);
    await client.write(requestText({ transport: 'TLS' }));
    expect((await run.received.next()).flow.peerCertificate).toBeUndefined();
    expect(run.layer.peerFlows()).toEqual([]);
  });

  it('asks for none over WSS by default, and records one when the listener requests it', async () => {
    const run = await layer(
      [
        { transport: 'wss', host: '127.0.0.1', port: 0 },
        { transport: 'wss', host: '127.0.0.1', port: 0, clientCert: 'request' },
      ],
      { tls: tlsOf(herald) },
    );
    const [quiet, asking] = run.layer.listeners;
    for (const [listener, expected] of [
      [quiet, undefined],
      [asking, ['peer.test']],
    ] as const) {
      const client = await WsClient.connect(`wss://127.0.0.1:${listener.port}/`, ['sip'], { cert: peer.cert, key: peer.key });
      clients.push({ destroy: () => client.ws.terminate() });
      client.ws.send(requestText({ transport: 'WSS' }));
      const { flow } = await run.received.next();
      expect(flow.peerCertificate?.identities).toEqual(expected);
    }
  });

  it('asks on every TLS and WSS listener with the legacy requestCert', async () => {
    const run = await layer([{ transport: 'wss', host: '127.0.0.1', port: 0 }], { tls: { ...tlsOf(herald), requestCert: true } });
    const client = await WsClient.connect(`wss://127.0.0.1:${run.port('wss')}/`, ['sip'], { cert: peer.cert, key: peer.key });
    clients.push({ destroy: () => client.ws.terminate() });
    client.ws.send(requestText({ transport: 'WSS' }));
    expect((await run.received.next()).flow.peerCertificate).toMatchObject({ identities: ['peer.test'], authorized: true });
  });

  it('names only serverCa in its CertificateRequest, ca serving connections Herald opens', async () => {
    const everything = trustedCertificates({ systemCa: true, caFiles: [pki.ca.certFile] });
    const run = await layer([{ transport: 'tls', host: '127.0.0.1', port: 0 }], { tls: { ...tlsOf(herald, everything), serverCa: trust } });
    expect(await clientCaNames(run.port('tls'))).toEqual(['CN = Herald Test CA']);
    const client = await connect(run.port('tls'), peer);
    await client.write(requestText({ transport: 'TLS' }));
    expect((await run.received.next()).flow.peerCertificate).toMatchObject({ identities: ['peer.test'], authorized: true });
  });

  it('names ca in its CertificateRequest when there is no serverCa', async () => {
    const run = await layer([{ transport: 'tls', host: '127.0.0.1', port: 0 }], { tls: tlsOf(herald, trustedCertificates({ systemCa: true, caFiles: [pki.ca.certFile] })) });
    expect((await clientCaNames(run.port('tls'))).length).toBeGreaterThan(100);
  });

  it('closes a flow on request', async () => {
    const run = await layer([{ transport: 'tls', host: '127.0.0.1', port: 0 }], { tls: tlsOf(herald) });
    const client = await connect(run.port('tls'), peer);
    await client.write(requestText({ transport: 'TLS' }));
    const { flow } = await run.received.next();
    expect(run.layer.closeFlow(flow.id)).toBe(true);
    await client.closed;
    expect((await run.closedFlows.next()).id).toBe(flow.id);
    expect(run.layer.closeFlow(flow.id)).toBe(false);
  });
});

describe('RFC 5922 §7.3 outbound TLS to a SIP domain', () => {
  async function peerLayer(identity: TestIdentity): Promise<RunningLayer> {
    return layer([{ transport: 'tls', host: '127.0.0.1', port: 0 }], { tls: tlsOf(identity) });
  }

  async function heraldLayer(ca: string[] = trust): Promise<RunningLayer> {
    return layer([{ transport: 'tls', host: '127.0.0.1', port: 0 }], { tls: tlsOf(herald, ca) });
  }

  it('connects to a server that names the domain, presenting its own certificate', async () => {
    const [server, client] = await Promise.all([peerLayer(peer), heraldLayer()]);
    const flow = await client.layer.send(request('hello'), { transport: 'tls', address: '127.0.0.1', port: server.port('tls'), serverName: 'peer.test' });
    expect(flow.peerCertificate).toMatchObject({ identities: ['peer.test'], authorized: true });
    const received = await server.received.next();
    expect(received.message.callId).toBe('hello');
    expect(received.flow.peerCertificate).toMatchObject({ identities: ['herald.test'], authorized: true });
  });

  it('refuses a server whose certificate names another domain', async () => {
    const [server, client] = await Promise.all([peerLayer(await pki.ca.leaf('other.test', { ips: ['127.0.0.1'] })), heraldLayer()]);
    const sending = client.layer.send(request('wrong'), { transport: 'tls', address: '127.0.0.1', port: server.port('tls'), serverName: 'peer.test' });
    await expect(sending).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_CONNECT' });
  });

  it('accepts a certificate whose only name is a SAN URI of the domain', async () => {
    const [server, client] = await Promise.all([peerLayer(await pki.ca.leaf('peer.test', { san: 'URI:sip:peer.test' })), heraldLayer()]);
    const flow = await client.layer.send(request('uri-only'), { transport: 'tls', address: '127.0.0.1', port: server.port('tls'), serverName: 'peer.test' });
    expect(flow.peerCertificate?.identities).toEqual(['peer.test']);
  });

  it('refuses a self-signed server, unless any certificate will do', async () => {
    const [server, client] = await Promise.all([peerLayer(await pki.selfSigned('impostor.test')), heraldLayer()]);
    const destination = { transport: 'tls' as const, address: '127.0.0.1', port: server.port('tls'), serverName: 'peer.test' };
    await expect(client.layer.send(request('self'), destination)).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_CONNECT' });
    const flow = await client.layer.send(request('any'), { ...destination, tlsCheck: { anyCertificate: true } });
    expect(flow.peerCertificate).toMatchObject({ identities: ['impostor.test'], authorized: false });
  });

  it('verifies the server even when the options carry a stray rejectUnauthorized: false', async () => {
    const lax = { ...tlsOf(herald), rejectUnauthorized: false };
    const [selfSigned, otherName, client] = await Promise.all([
      peerLayer(await pki.selfSigned('peer.test')),
      peerLayer(await pki.ca.leaf('other.test', { ips: ['127.0.0.1'] })),
      layer([{ transport: 'tls', host: '127.0.0.1', port: 0 }], { tls: lax }),
    ]);
    for (const [server, callId] of [[selfSigned, 'self'], [otherName, 'other']] as const) {
      const sending = client.layer.send(request(callId), { transport: 'tls', address: '127.0.0.1', port: server.port('tls'), serverName: 'peer.test' });
      await expect(sending).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_CONNECT' });
    }
  });

  it("refuses a chain through a CA private to another domain, unless any certificate will do", async () => {
    const privateAnchors = new Map([[fingerprint(pki.ca.cert).toUpperCase(), ['peer.test', '*.sub.test']]]);
    const [other, own, sub] = await Promise.all([
      peerLayer(await pki.ca.leaf('other.test', { ips: ['127.0.0.1'] })),
      peerLayer(peer),
      peerLayer(await pki.ca.leaf('a.sub.test', { ips: ['127.0.0.1'] })),
    ]);
    const client = await layer([{ transport: 'tls', host: '127.0.0.1', port: 0 }], { tls: tlsOf(herald), privateAnchors });
    const to = (server: RunningLayer, serverName: string) => ({ transport: 'tls' as const, address: '127.0.0.1', port: server.port('tls'), serverName });
    await expect(client.layer.send(request('other'), to(other, 'other.test'))).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_TLS_ANCHOR' });
    expect((await client.layer.send(request('own'), to(own, 'peer.test'))).peerCertificate).toMatchObject({ identities: ['peer.test'], authorized: true });
    expect((await client.layer.send(request('sub'), to(sub, 'a.sub.test'))).peerCertificate).toMatchObject({ identities: ['a.sub.test'] });
    const any = await client.layer.send(request('any'), { ...to(other, 'other.test'), tlsCheck: { anyCertificate: true } });
    expect(any.peerCertificate?.identities).toEqual(['other.test']);
  });

  it('refuses a chain not anchored at the peer CA, and reuses a connection only for the same check', async () => {
    const trustBoth = trustedCertificates({ systemCa: false, caFiles: [pki.ca.certFile, pki.otherCa.certFile] });
    const [server, client] = await Promise.all([peerLayer(await pki.otherCa.leaf('peer.test', { ips: ['127.0.0.1'] })), heraldLayer(trustBoth)]);
    const destination = { transport: 'tls' as const, address: '127.0.0.1', port: server.port('tls'), serverName: 'peer.test' };
    const ours = { anyCertificate: false, anchors: certificateFingerprints(pki.ca.cert) };
    await expect(client.layer.send(request('anchored-elsewhere'), { ...destination, tlsCheck: ours })).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_TLS_ANCHOR' });
    const theirs = { anyCertificate: false, anchors: certificateFingerprints(pki.otherCa.cert) };
    const anchored = await client.layer.send(request('anchored'), { ...destination, tlsCheck: theirs });
    const plain = await client.layer.send(request('plain'), destination);
    expect(plain.id).not.toBe(anchored.id);
    expect((await client.layer.send(request('anchored-again'), { ...destination, tlsCheck: theirs })).id).toBe(anchored.id);
    // The failed check left no connection behind for the next try to reuse.
    await expect(client.layer.send(request('still-elsewhere'), { ...destination, tlsCheck: ours })).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_TLS_ANCHOR' });
  });

  it('adds tls.ca to the system store unless told not to', () => {
    const withSystem = trustedCertificates({ systemCa: true, caFiles: [pki.ca.certFile] });
    expect(withSystem.length).toBe(trustedCertificates({ systemCa: true, caFiles: [] }).length + 1);
    expect(withSystem).toContain(pki.ca.cert.trim());
    expect(trust).toEqual([pki.ca.cert.trim()]);
  });
});

describe('sources refused at accept', () => {
  it.each(['tcp', 'tls', 'ws', 'wss'] as const)('closes a %s connection from a refused source at once, counted as refusedSource', async (transport) => {
    const limits = new Inbox<[LimitName, string]>();
    const run = await layer([{ transport, host: '127.0.0.1', port: 0 }], {
      tls: tlsOf(herald),
      refuseSource: (address) => address === '127.0.0.1',
      onLimit: (limit, source) => limits.push([limit, source]),
    });
    const socket = net.connect({ host: '127.0.0.1', port: run.port(transport) });
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('close', resolve));
    expect(await limits.next()).toEqual(['refusedSource', '127.0.0.1']);
    expect(run.layer.acceptedConnections).toBe(0);
  });

  it('takes a new filter at run time', async () => {
    const run = await layer([{ transport: 'tcp', host: '127.0.0.1', port: 0 }], { refuseSource: () => true });
    run.layer.useSourceFilter((address) => address === '127.0.0.2');
    const client = await StreamClient.connect('tcp', run.port('tcp'));
    clients.push(client);
    await client.write(requestText({ transport: 'TCP' }));
    expect((await run.received.next()).flow.remoteAddress).toBe('127.0.0.1');
  });
});
