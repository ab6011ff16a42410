import { DOMAIN, rejection, subscribeRequest } from '../../test/helpers/presence-requests.js';
import { readRefresh, readSubscribe } from './read-subscribe.js';

const LIMITS = { defaultExpires: 3600, minExpires: 60, maxExpires: 7200 };
const read = (headers: string[], options = {}) => readSubscribe(subscribeRequest(headers, options), null, LIMITS);

describe('RFC 6665 §7.2.1, §8.2.1 event packages of an initial SUBSCRIBE', () => {
  it('takes presence and presence.winfo, whatever their case, with the Event id', () => {
    expect(read([]).event).toBe('presence');
    const winfo = readSubscribe(subscribeRequest([], { headers: ['Event: Presence.WINFO;id=7', 'Contact: <sip:alice@198.51.100.7>'] }), null, LIMITS);
    expect(winfo.event).toBe('presence.winfo');
    expect(winfo.eventId).toBe('7');
  });

  it('refuses any other package, and none at all, with 489 and Allow-Events', () => {
    for (const headers of [['Event: dialog', 'Contact: <sip:a@192.0.2.9>'], ['Contact: <sip:a@192.0.2.9>']]) {
      const e = rejection(() => readSubscribe(subscribeRequest([], { headers }), null, LIMITS));
      expect(e.status).toBe(489);
      expect(e.headers).toContainEqual(['Allow-Events', 'presence, presence.winfo']);
    }
  });
});

describe('RFC 6665 §4.2.1.1 the interval of a subscription', () => {
  it('grants the default when none is asked, at most the maximum, and 0 for a fetch', () => {
    expect(read([]).expires).toBe(3600);
    expect(read(['Expires: 999999']).expires).toBe(7200);
    expect(read(['Expires: 0']).expires).toBe(0);
  });

  it('refuses a non-zero interval below the minimum with 423 and Min-Expires', () => {
    const e = rejection(() => read(['Expires: 30']));
    expect(e.status).toBe(423);
    expect(e.headers).toContainEqual(['Min-Expires', '60']);
  });

  it('checks the package before the interval', () => {
    expect(rejection(() => readSubscribe(subscribeRequest([], { headers: ['Event: dialog', 'Expires: 1'] }), null, LIMITS)).status).toBe(489);
  });
});

describe('RFC 3856 §6.6 the watcher', () => {
  it('is the authenticated user when there is one, else the From AoR', () => {
    expect(readSubscribe(subscribeRequest(), { user: 'carol', domain: DOMAIN, aor: `sip:carol@${DOMAIN}` }, LIMITS).watcher).toBe(`sip:carol@${DOMAIN}`);
    expect(read([], { from: '"Alice" <sip:alice@EXAMPLE.com;transport=tcp>;tag=w1' }).watcher).toBe(`sip:alice@${DOMAIN}`);
  });

  it('keeps the Accept values in lower case', () => {
    expect(read(['Accept: Application/PIDF+XML, application/xpidf+xml']).accept).toEqual(['application/pidf+xml', 'application/xpidf+xml']);
  });
});

describe('RFC 6665 §4.1.2.1 a SUBSCRIBE in a subscription dialog', () => {
  it('names the subscription by Call-ID, the watcher tag and ours, and takes Contact as target', () => {
    const refresh = readRefresh(subscribeRequest(['Expires: 600'], { callId: 'c9', to: `<sip:bob@${DOMAIN}>;tag=h9` }), 'h9');
    expect(refresh).toEqual({ id: 'c9;w1;h9', event: 'presence', cseq: 1, expires: 600, contact: 'sip:alice@198.51.100.7:5062' });
  });

  it('leaves the target as it was when there is no Contact', () => {
    const req = subscribeRequest([], { headers: ['Event: presence'], to: `<sip:bob@${DOMAIN}>;tag=h9` });
    expect(readRefresh(req, 'h9').contact).toBeNull();
  });
});
