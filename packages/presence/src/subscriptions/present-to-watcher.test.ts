import { type SipUri, parseUri } from '@herald/sip';
import { MemoryStore } from '@herald/store';
import { NOW, subscription } from '../../test/helpers/presence-requests.js';
import { PresencePackage } from '../notifier/presence-package.js';
import { type PresenceExternalIds, presentedToWatcher } from './present-to-watcher.js';

const BOB = 'sip:bob@example.com';
const EXTERNAL = 'sip:Bob_Jones@acme.test';

/** Bob marks `Bob_Jones@acme.test` as his external form; chi.acme.test converts IDs. */
function ids(): PresenceExternalIds & { reads: number } {
  const external = { reads: 0 } as PresenceExternalIds & { reads: number };
  const form = async (aor: string) => {
    external.reads++;
    return aor === BOB ? (parseUri(EXTERNAL) as SipUri) : null;
  };
  return Object.assign(external, { convertsIdsFor: (domain: string) => domain === 'chi.acme.test', externalFormOf: form, externalFormOfSender: form });
}

const communityWatcher = subscription({ watcher: 'sip:carol@chi.acme.test', remoteUri: 'sip:carol@chi.acme.test', foreign: { domain: 'chi.acme.test', source: '127.0.0.1' } });

describe('ID conversion for a watcher in a convertIds community (issue 16)', () => {
  it('makes the external form the local URI (the NOTIFY From) and the entity, with one read', async () => {
    const external = ids();
    const sub = await presentedToWatcher(communityWatcher, external);
    expect(sub.localUri).toBe(EXTERNAL);
    expect(sub.data.entity).toBe(EXTERNAL);
    expect(sub.resource).toBe(BOB);
    expect(external.reads).toBe(1);
  });

  it('reads nothing for a local watcher or one of a domain that does not convert IDs', async () => {
    const external = ids();
    expect(await presentedToWatcher(subscription(), external)).toEqual(subscription());
    const partner = subscription({ foreign: { domain: 'partner.test', source: '127.0.0.1' } });
    expect(await presentedToWatcher(partner, external)).toEqual(partner);
    expect(external.reads).toBe(0);
  });

  it('leaves a presentity without an external form as it is', async () => {
    const sub = { ...communityWatcher, resource: 'sip:dave@example.com' };
    expect(await presentedToWatcher(sub, ids())).toEqual(sub);
  });
});

describe('RFC 3863 §4.1.1 the entity a watcher in a convertIds community sees', () => {
  let store: MemoryStore;
  beforeEach(() => {
    store = new MemoryStore();
  });
  afterEach(() => store.close());

  const presencePackage = () => new PresencePackage({ publications: store.publications, locations: store.locations, rules: store.presenceRules, policy: { fromRegistration: true } });

  it('is the external form in the document (and its contact, from registration), the account for everyone else', async () => {
    const body = await presencePackage().body(BOB, NOW);
    const shown = body(await presentedToWatcher(communityWatcher, ids()));
    expect(shown?.body).toContain(`entity="${EXTERNAL}"`);
    expect(shown?.body).toContain(`<contact>${EXTERNAL}</contact>`);
    expect(shown?.body).not.toContain(BOB);
    expect(body(subscription())?.body).toContain(`entity="${BOB}"`);
  });

  it('is the external form in a published document and in XPIDF', async () => {
    const published = `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${BOB}"><tuple id="t1"><status><basic>open</basic></status></tuple></presence>`;
    await store.publications.put({ resource: BOB, event: 'presence', etag: 'e1', contentType: 'application/pidf+xml', body: published, expiresAt: NOW + 60_000, updatedAt: NOW }, null, NOW);
    const body = await presencePackage().body(BOB, NOW);
    const sub = await presentedToWatcher(communityWatcher, ids());
    expect(body(sub)?.body).toContain(`entity="${EXTERNAL}"`);
    expect(body({ ...sub, data: { ...sub.data, format: 'application/xpidf+xml' } })?.body).toContain(`uri="${EXTERNAL}"`);
    expect(body(subscription())?.body).toContain(`entity="${BOB}"`);
  });

  it('is the external form when the watcher is politely blocked', async () => {
    const sub = await presentedToWatcher(communityWatcher, ids());
    const shown = (await presencePackage().body(BOB, NOW))({ ...sub, data: { ...sub.data, polite: true } });
    expect(shown?.body).toContain(`entity="${EXTERNAL}"`);
    expect(shown?.body).toContain('<basic>closed</basic>');
  });
});
