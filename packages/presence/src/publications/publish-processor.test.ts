import type { AuthenticatedUser } from '@herald/proxy';
import { POLICY, PresenceTestbed } from '../../test/helpers/presence-services.js';
import { DOMAIN, identity, sipRequest } from '../../test/helpers/presence-requests.js';
import { type PublicationServiceOptions, publicationRequests } from './publish-processor.js';

const BOB = `sip:bob@${DOMAIN}`;
const AS_BOB: AuthenticatedUser = { user: 'bob', domain: DOMAIN, aor: BOB };
const PIDF = `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${BOB}"><tuple id="t1"><status><basic>open</basic></status></tuple></presence>`;
const CLOSED = PIDF.replace('open', 'closed');

let bed: PresenceTestbed;
beforeEach(async () => {
  bed = new PresenceTestbed();
  await bed.addUser('bob');
});
afterEach(() => bed.close());

function processor(overrides: Partial<PublicationServiceOptions> = {}) {
  const { store, notifier, clock } = bed;
  return publicationRequests({ identity: identity(), locations: store.locations, users: store.users, publications: store.publications, notifier, policy: POLICY, requireAuthentication: true, clock, ...overrides });
}

async function publish(headers: string[], body = '', user: AuthenticatedUser | null = AS_BOB, uri = BOB) {
  const ctx = bed.context(sipRequest({ method: 'PUBLISH', uri, from: `<${uri}>;tag=p1`, to: `<${uri}>`, headers: ['Event: presence', ...(body === '' ? [] : ['Content-Type: application/pidf+xml']), ...headers], body }), user);
  const verdict = await ctx.run(processor());
  return { verdict, res: verdict === 'stop' ? ctx.response : null };
}

const published = () => bed.store.publications.list(BOB, 'presence', bed.clock.now());

describe('RFC 3903 §6 an initial PUBLISH', () => {
  it('is stored under a new entity-tag, answered 200 with SIP-ETag and Expires, and told to watchers', async () => {
    const { res } = await publish(['Expires: 120'], PIDF);
    expect(res?.status).toBe(200);
    expect(res?.header('expires')).toBe('120');
    const [p] = await published();
    expect(res?.header('sip-etag')).toBe(p.etag);
    expect(p).toMatchObject({ body: PIDF, expiresAt: bed.clock.now() + 120_000 });
    expect(bed.notifier.calls).toEqual([{ call: 'changed', resource: BOB, event: 'presence' }]);
  });

  it('keeps nothing with Expires: 0, and tells nobody', async () => {
    const { res } = await publish(['Expires: 0'], PIDF);
    expect(res?.header('expires')).toBe('0');
    expect(await published()).toEqual([]);
    expect(bed.notifier.calls).toEqual([]);
  });
});

describe('RFC 3903 §6 steps 3–7 refresh, modify, remove', () => {
  let etag: string;
  beforeEach(async () => {
    etag = (await publish([], PIDF)).res?.header('sip-etag') ?? '';
    bed.notifier.calls.length = 0;
  });

  it('refreshes under a new entity-tag, watchers not told', async () => {
    const { res } = await publish([`SIP-If-Match: ${etag}`, 'Expires: 600']);
    const [p] = await published();
    expect(p.etag).toBe(res?.header('sip-etag'));
    expect(p.etag).not.toBe(etag);
    expect(bed.notifier.calls).toEqual([]);
  });

  it('modifies with a new document, watchers told', async () => {
    await publish([`SIP-If-Match: ${etag}`], CLOSED);
    expect((await published()).map((p) => p.body)).toEqual([CLOSED]);
    expect(bed.notifier.calls).toHaveLength(1);
  });

  it('removes with Expires: 0, watchers told', async () => {
    const { res } = await publish([`SIP-If-Match: ${etag}`, 'Expires: 0']);
    expect(res?.header('expires')).toBe('0');
    expect(await published()).toEqual([]);
    expect(bed.notifier.calls).toHaveLength(1);
  });

  it('answers 412 to an entity-tag that names no live publication', async () => {
    expect((await publish(['SIP-If-Match: nope'])).res?.status).toBe(412);
    expect((await publish(['SIP-If-Match: nope', 'Expires: 0'])).res?.status).toBe(412);
  });
});

describe('RFC 3903 §6 step 2 who publishes', () => {
  it('answers 403 to anyone but the presentity, and 404 for no such user', async () => {
    expect((await publish([], PIDF, { user: 'alice', domain: DOMAIN, aor: `sip:alice@${DOMAIN}` })).res?.status).toBe(403);
    expect((await publish([], PIDF, null)).res?.status).toBe(403);
    expect((await publish([], PIDF, AS_BOB, `sip:nobody@${DOMAIN}`)).res?.status).toBe(404);
  });

  it('leaves PUBLISH for other domains to the next processor', async () => {
    expect((await publish([], PIDF, AS_BOB, 'sip:bob@example.net')).verdict).toBe('continue');
  });
});
