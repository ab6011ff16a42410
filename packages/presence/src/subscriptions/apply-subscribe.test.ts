import type { Flow } from '@herald/proxy';
import { HERALD, NOW, rejection, subscribeRequest } from '../../test/helpers/presence-requests.js';
import { newSubscription, presenceFormat, presenceStanding, winfoStanding } from './apply-subscribe.js';
import { readSubscribe } from './read-subscribe.js';

const LIMITS = { defaultExpires: 3600, minExpires: 60, maxExpires: 7200 };
const FLOW: Flow = { id: 'udp-1', transport: 'udp', owner: 'n/1', localAddress: HERALD.address, localPort: HERALD.port, remoteAddress: '198.51.100.7', remotePort: 5062 };

describe('RFC 3856 §6.7 the format a presence watcher gets', () => {
  it('is the first Accept value Herald writes, PIDF for a wildcard or no Accept', () => {
    expect(presenceFormat(['text/plain', 'application/xpidf+xml;q=0.5', 'application/pidf+xml'])).toBe('application/xpidf+xml');
    expect(presenceFormat(['application/*'])).toBe('application/pidf+xml');
    expect(presenceFormat([])).toBe('application/pidf+xml');
  });

  it('is refused with 406 listing the formats Herald writes when none is accepted', () => {
    const e = rejection(() => presenceFormat(['text/html']));
    expect(e.status).toBe(406);
    expect(e.headers).toContainEqual(['Accept', 'application/pidf+xml, application/cpim-pidf+xml, application/xpidf+xml']);
  });
});

describe('RFC 5025 §3.2.1 a presence watcher as the presentity decided', () => {
  it('is active when allowed, pending when to be confirmed, told closed when politely blocked', () => {
    expect(presenceStanding('application/pidf+xml', 'allow')).toEqual({ status: 'active', data: { format: 'application/pidf+xml', polite: false } });
    expect(presenceStanding('application/pidf+xml', 'confirm').status).toBe('pending');
    expect(presenceStanding('application/pidf+xml', 'polite-block')).toEqual({ status: 'active', data: { format: 'application/pidf+xml', polite: true } });
  });

  it('is refused with 403 when blocked', () => {
    expect(rejection(() => presenceStanding('application/pidf+xml', 'block')).status).toBe(403);
  });
});

describe('RFC 3857 §5.1 watcher information only for the presentity', () => {
  const bob = 'sip:bob@example.com';

  it('gives the presentity its own watchers in watcherinfo documents', () => {
    expect(winfoStanding({ accept: [], watcher: bob }, bob)).toEqual({ status: 'active', data: { format: 'application/watcherinfo+xml' } });
  });

  it('refuses anyone else with 403, and a watcher that takes no watcherinfo with 406', () => {
    expect(rejection(() => winfoStanding({ accept: [], watcher: 'sip:alice@example.com' }, bob)).status).toBe(403);
    expect(rejection(() => winfoStanding({ accept: ['application/pidf+xml'], watcher: bob }, bob)).status).toBe(406);
  });
});

describe('RFC 6665 §4.2.1, RFC 3261 §12.1.1 the dialog an initial SUBSCRIBE creates', () => {
  it('takes our new tag, the watcher tag, its Contact as target, Record-Route in order, CSeq 1 reserved', () => {
    const req = subscribeRequest(['Record-Route: <sip:p1.example.net;lr>', 'Record-Route: <sip:p2.example.net;lr>', 'Expires: 600'], { callId: 'c1', cseq: 7 });
    const sub = newSubscription(req, readSubscribe(req, null, LIMITS), 'sip:bob@example.com', { status: 'pending', data: { format: 'application/pidf+xml' } }, FLOW, null, NOW);
    expect(sub.id).toBe(`c1;w1;${sub.localTag}`);
    expect(sub.localTag).not.toBe('');
    expect(sub).toMatchObject({
      remoteTag: 'w1',
      remoteTarget: 'sip:alice@198.51.100.7:5062',
      routeSet: ['<sip:p1.example.net;lr>', '<sip:p2.example.net;lr>'],
      localCseq: 1,
      remoteCseq: 7,
      status: 'pending',
      expiresAt: NOW + 600_000,
      flow: FLOW,
      version: 1,
    });
  });

  it('keeps the Event id for the NOTIFYs', () => {
    const req = subscribeRequest([], { headers: ['Event: presence;id=x1', 'Contact: <sip:alice@198.51.100.7>'] });
    const sub = newSubscription(req, readSubscribe(req, null, LIMITS), 'sip:bob@example.com', { status: 'active', data: { format: 'application/pidf+xml' } }, FLOW, null, NOW);
    expect(sub.data).toEqual({ format: 'application/pidf+xml', eventId: 'x1' });
  });

  it('refuses a SUBSCRIBE without a Contact with 400', () => {
    const req = subscribeRequest([], { headers: ['Event: presence'] });
    expect(rejection(() => newSubscription(req, readSubscribe(req, null, LIMITS), 'sip:bob@example.com', { status: 'active', data: {} }, FLOW, null, NOW)).status).toBe(400);
  });
});
