import type { Flow } from '@herald/proxy';
import { MemoryStore } from '@herald/store';
import { NOW, subscription } from '../../test/helpers/presence-requests.js';
import { PresencePackage } from './presence-package.js';

const BOB = 'sip:bob@example.com';
const FLOW: Flow = { id: 'udp-1', transport: 'udp', owner: 'n/1', localAddress: '192.0.2.1', localPort: 5060, remoteAddress: '198.51.100.7', remotePort: 5062 };
const published = (note: string) =>
  `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${BOB}"><tuple id="t1"><status><basic>open</basic></status><note>${note}</note></tuple></presence>`;

let store: MemoryStore;
let watched: Array<[string, number]>;
beforeEach(() => {
  store = new MemoryStore();
  watched = [];
});
afterEach(() => store.close());

function presencePackage(fromRegistration = true): PresencePackage {
  return new PresencePackage({ publications: store.publications, locations: store.locations, rules: store.presenceRules, policy: { fromRegistration }, openFromRegistration: (aor, at) => void watched.push([aor, at]) });
}

async function register(expiresAt: number): Promise<void> {
  const binding = { contact: 'sip:bob@198.51.100.9', params: '', q: null, expiresAt, callId: 'r1', cseq: 1, path: [], instanceId: null, regId: null, flow: FLOW, userAgent: null, updatedAt: NOW };
  await store.locations.compareAndSet(BOB, 0, [binding], NOW);
}

describe('RFC 3856 §6.8 the state watchers see', () => {
  it('is the published document, in the format each watcher takes', async () => {
    await store.publications.put({ resource: BOB, event: 'presence', etag: 'e1', contentType: 'application/pidf+xml', body: published('lunch'), expiresAt: NOW + 60_000, updatedAt: NOW }, null, NOW);
    const body = await presencePackage().body(BOB, NOW);
    expect(body(subscription())?.body).toContain('lunch');
    expect(body(subscription({ data: { format: 'application/xpidf+xml' } }))?.contentType).toBe('application/xpidf+xml');
  });

  it('renders and encodes a document once per view, shared by the watchers with that view, each view with its own entity', async () => {
    await store.publications.put({ resource: BOB, event: 'presence', etag: 'e1', contentType: 'application/pidf+xml', body: published('lunch'), expiresAt: NOW + 60_000, updatedAt: NOW }, null, NOW);
    const body = await presencePackage().body(BOB, NOW);
    const [a, b] = [body(subscription({ id: 'a' })), body(subscription({ id: 'b' }))];
    expect(a).toBe(b);
    expect(a?.bytes?.toString('utf8')).toBe(a?.body);
    const external = body(subscription({ id: 'c', data: { entity: 'sip:+15551234@gw.example.net' } }));
    expect(external).not.toBe(a);
    expect(external?.body).toContain('entity="sip:+15551234@gw.example.net"');
    expect(external?.bytes?.toString('utf8')).toBe(external?.body);
    expect(a?.body).toContain(`entity="${BOB}"`);
    expect(body(subscription({ id: 'd', data: { entity: 'sip:+15551234@gw.example.net' } }))).toBe(external);
  });

  it('writes and encodes the document of a presentity that publishes nothing once, for every later NOTIFY that shows it so', async () => {
    await register(NOW + 60_000);
    const first = (await presencePackage().body(BOB, NOW))(subscription());
    const pkg = presencePackage();
    const [a, b] = [(await pkg.body(BOB, NOW))(subscription()), (await pkg.body(BOB, NOW))(subscription({ id: 'other' }))];
    expect(a).toBe(b);
    expect(a?.body).toBe(first?.body);
    expect(a?.body).toContain('<basic>open</basic>');
    expect(a?.bytes?.toString('utf8')).toBe(a?.body);
    const external = (await pkg.body(BOB, NOW))(subscription({ data: { entity: 'sip:+15551234@gw.example.net' } }));
    expect(external?.body).toContain('<contact>sip:+15551234@gw.example.net</contact>');
    const polite = (await pkg.body(BOB, NOW))(subscription({ data: { polite: true } }));
    expect(polite?.body).toContain('<basic>closed</basic>');
    expect(polite?.bytes?.toString('utf8')).toBe(polite?.body);
  });

  it('gives a pending watcher nothing, and a politely blocked one closed', async () => {
    await register(NOW + 60_000);
    const body = await presencePackage().body(BOB, NOW);
    expect(body(subscription({ status: 'pending' }))).toBeNull();
    expect(body(subscription({ data: { polite: true } }))?.body).toContain('<basic>closed</basic>');
  });

  it('shows an invisible presentity closed to everyone', async () => {
    await register(NOW + 60_000);
    await store.presenceRules.setInvisible(BOB, true);
    expect((await presencePackage().state(BOB, NOW)).open).toBe(false);
  });
});

describe('RFC 3856 §6.9 the state from registration', () => {
  it('is open while the presentity has a binding, and watches the last binding expire', async () => {
    await register(NOW + 60_000);
    expect((await presencePackage().state(BOB, NOW)).open).toBe(true);
    expect(watched).toEqual([[BOB, NOW + 60_000]]);
  });

  it('is closed without a binding, and always when presence.fromRegistration is off', async () => {
    expect((await presencePackage().state(BOB, NOW)).open).toBe(false);
    await register(NOW + 60_000);
    expect((await presencePackage(false).state(BOB, NOW)).open).toBe(false);
  });
});
