import { DOMAIN, rejection, sipRequest } from '../../test/helpers/presence-requests.js';
import { checkPublisher, readPublish } from './read-publish.js';

const BOB = `sip:bob@${DOMAIN}`;
const LIMITS = { defaultExpires: 3600, minExpires: 60, maxExpires: 7200 };
const pidf = (entity = BOB) => `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}"><tuple id="t1"><status><basic>open</basic></status></tuple></presence>`;
const publish = (headers: string[], body = '') => sipRequest({ method: 'PUBLISH', uri: BOB, from: `<${BOB}>;tag=p1`, to: `<${BOB}>`, headers, body });
const withBody = (headers: string[] = [], body = pidf()) => publish(['Event: presence', 'Content-Type: application/pidf+xml', ...headers], body);

describe('RFC 3903 §6 step 2 who may publish', () => {
  it('lets only the presentity publish its state', () => {
    expect(() => checkPublisher({ user: 'bob', domain: DOMAIN, aor: BOB }, BOB, true)).not.toThrow();
    expect(rejection(() => checkPublisher({ user: 'alice', domain: DOMAIN, aor: `sip:alice@${DOMAIN}` }, BOB, false)).status).toBe(403);
  });

  it('refuses an unauthenticated PUBLISH with 403 only when authentication is on', () => {
    expect(rejection(() => checkPublisher(null, BOB, true)).status).toBe(403);
    expect(() => checkPublisher(null, BOB, false)).not.toThrow();
  });
});

describe('RFC 3903 §6 steps 1, 4, 5 reading a PUBLISH', () => {
  it('reads an initial PUBLISH: its document, the interval granted, no entity-tag', () => {
    expect(readPublish(withBody(['Expires: 120']), BOB, LIMITS)).toEqual({ ifMatch: null, expires: 120, body: pidf() });
  });

  it('reads a refresh: SIP-If-Match, no body', () => {
    expect(readPublish(publish(['Event: presence', 'SIP-If-Match: abc ']), BOB, LIMITS)).toEqual({ ifMatch: 'abc', expires: 3600, body: null });
  });

  it('answers 489 for any package but presence', () => {
    const e = rejection(() => readPublish(publish(['Event: dialog', 'SIP-If-Match: abc']), BOB, LIMITS));
    expect(e.status).toBe(489);
    expect(e.headers).toContainEqual(['Allow-Events', 'presence']);
  });

  it('negotiates the interval: 423 below the minimum, shortened above the maximum, 0 removes', () => {
    expect(rejection(() => readPublish(withBody(['Expires: 5']), BOB, LIMITS)).status).toBe(423);
    expect(readPublish(withBody(['Expires: 100000']), BOB, LIMITS).expires).toBe(7200);
    expect(readPublish(publish(['Event: presence', 'SIP-If-Match: abc', 'Expires: 0']), BOB, LIMITS).expires).toBe(0);
  });

  it('answers 415 with Accept for a body that is not PIDF', () => {
    const e = rejection(() => readPublish(publish(['Event: presence', 'Content-Type: text/plain'], 'open'), BOB, LIMITS));
    expect(e.status).toBe(415);
    expect(e.headers).toContainEqual(['Accept', 'application/pidf+xml']);
  });

  it('answers 400 naming the problem for a document that does not parse or is about someone else', () => {
    expect(rejection(() => readPublish(withBody([], '<presence'), BOB, LIMITS)).reason).toMatch(/^Bad PIDF document: /);
    expect(rejection(() => readPublish(withBody([], pidf('sip:carol@example.com')), BOB, LIMITS)).reason).toBe(`Bad PIDF document: entity sip:carol@example.com is not ${BOB}`);
  });

  it('answers 400 to an initial PUBLISH without a body', () => {
    const e = rejection(() => readPublish(publish(['Event: presence']), BOB, LIMITS));
    expect(e.status).toBe(400);
    expect(e.reason).toBe('Initial PUBLISH without a body');
  });
});
