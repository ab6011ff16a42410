import { SipRequest } from '@herald/sip';
import { NOW, subscription } from '../../test/helpers/presence-requests.js';
import { liveState, notifyRequest, remainingSeconds } from './notify-request.js';

describe('RFC 6665 §4.2.2, RFC 3261 §12.2.1.1 a NOTIFY in a subscription dialog', () => {
  const sub = subscription({ routeSet: ['<sip:p1.example.net;lr>'], data: { eventId: 'x1' } });

  it('goes to the remote target from our side of the dialog, with the CSeq given and the Event id', () => {
    const req = notifyRequest(sub, 7, { state: 'active', expires: 599 }, { contentType: 'application/pidf+xml', body: '<presence/>' }, 'sip:192.0.2.1:5060');
    expect(req.uriText).toBe('sip:alice@198.51.100.7:5062');
    expect(req.header('from')).toBe('<sip:bob@example.com>;tag=h1');
    expect(req.header('to')).toBe('<sip:alice@example.com>;tag=w1');
    expect(req.header('call-id')).toBe('c1');
    expect(req.header('cseq')).toBe('7 NOTIFY');
    expect(req.header('contact')).toBe('<sip:192.0.2.1:5060>');
    expect(req.header('event')).toBe('presence;id=x1');
    expect(req.header('subscription-state')).toBe('active;expires=599');
    expect(req.header('content-type')).toBe('application/pidf+xml');
    expect(req.body.toString()).toBe('<presence/>');
    expect(req.hasHeader('route')).toBe(false);
  });

  // Found by fuzz/targets/request-path.js: `To: <sip:alice@example.com>;tag=`, which no parser accepts.
  it('writes no To tag for a subscriber whose SUBSCRIBE had no From tag (RFC 2543)', () => {
    const req = notifyRequest(subscription({ remoteTag: '' }), 1, { state: 'active', expires: 600 }, null, 'sip:192.0.2.1');
    expect(req.header('to')).toBe('<sip:alice@example.com>');
    expect(req.to.params.has('tag')).toBe(false);
  });

  it('says why a subscription ended, and carries no Content-Type without a body', () => {
    const req = notifyRequest(subscription(), 3, { state: 'terminated', reason: 'rejected' }, null, 'sip:192.0.2.1');
    expect(req.header('subscription-state')).toBe('terminated;reason=rejected');
    expect(req.header('event')).toBe('presence');
    expect(req.hasHeader('content-type')).toBe(false);
    expect(req.body.length).toBe(0);
  });
});

describe('RFC 6665 §4.2.2 the Subscription-State of a live subscription', () => {
  it('shows the seconds left rounded up, never 0 while it lives', () => {
    expect(remainingSeconds({ expiresAt: NOW + 1 }, NOW)).toBe(1);
    expect(remainingSeconds({ expiresAt: NOW + 600_000 }, NOW)).toBe(600);
    expect(remainingSeconds({ expiresAt: NOW - 5 }, NOW)).toBe(0);
  });

  it('is pending while the watcher waits, active otherwise', () => {
    expect(liveState({ status: 'pending', expiresAt: NOW + 10_500 }, NOW)).toEqual({ state: 'pending', expires: 11 });
    expect(liveState({ status: 'active', expiresAt: NOW + 10_000 }, NOW)).toEqual({ state: 'active', expires: 10 });
  });
});

describe('a NOTIFY written as the message API would write it', () => {
  it('has the lines addHeader gives, in order, and serialises with Content-Length', () => {
    const req = notifyRequest(subscription(), 2, { state: 'active', expires: 60 }, { contentType: 'application/pidf+xml', body: '<p/>' }, 'sip:192.0.2.1');
    const built = new SipRequest('NOTIFY', 'sip:alice@198.51.100.7:5062', [], Buffer.from('<p/>'));
    for (const [name, value] of [
      ['Max-Forwards', '70'], ['From', '<sip:bob@example.com>;tag=h1'], ['To', '<sip:alice@example.com>;tag=w1'], ['Call-ID', 'c1'], ['CSeq', '2 NOTIFY'],
      ['Contact', '<sip:192.0.2.1>'], ['Event', 'presence'], ['Subscription-State', 'active;expires=60'], ['Content-Type', 'application/pidf+xml'],
    ]) built.addHeader(name, value);
    expect(req.headers).toEqual(built.headers);
    expect(req.toString()).toBe(built.toString());
    expect(req.toString()).toContain('\r\nContent-Length: 4\r\n\r\n<p/>');
  });

  it('shares its unchanged lines between NOTIFYs; a change to one message leaves the others as they were', () => {
    const a = notifyRequest(subscription(), 2, { state: 'active', expires: 60 }, null, 'sip:192.0.2.1');
    const b = notifyRequest(subscription(), 3, { state: 'active', expires: 60 }, null, 'sip:192.0.2.1');
    a.setHeader('Max-Forwards', '69');
    a.setHeader('Contact', '<sip:elsewhere>');
    expect(b.header('max-forwards')).toBe('70');
    expect(b.header('contact')).toBe('<sip:192.0.2.1>');
    expect(notifyRequest(subscription(), 4, { state: 'active', expires: 60 }, null, 'sip:192.0.2.1').header('contact')).toBe('<sip:192.0.2.1>');
  });
});
