import { parseMessage, type SipResponse } from '@herald/sip';
import { notifyEndsSubscription } from './notify-outcome.js';

const ACTIVE = { state: 'active', expires: 600 } as const;
const answer = (status: number, headers = ''): SipResponse =>
  parseMessage(Buffer.from(`SIP/2.0 ${status} X\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>;tag=2\r\nCall-ID: c\r\nCSeq: 2 NOTIFY\r\n${headers}Content-Length: 0\r\n\r\n`)) as SipResponse;

describe('RFC 6665 §4.2.2 what the answer to a NOTIFY means for its subscription', () => {
  it('ends it on 481, on 408 (Timer F: nobody answered) and on 430', () => {
    for (const status of [481, 408, 430]) expect(notifyEndsSubscription(ACTIVE, { status, response: answer(status) })).toBe(true);
    expect(notifyEndsSubscription(ACTIVE, { status: 408, response: null })).toBe(true);
  });

  it('ends it when the NOTIFY could not be sent: Herald own 503, with no response', () => {
    expect(notifyEndsSubscription(ACTIVE, { status: 503, response: null })).toBe(true);
  });

  it('ends it on any other error response, pending or active', () => {
    for (const status of [302, 400, 403, 404, 486, 489, 500, 503, 603]) {
      expect(notifyEndsSubscription({ state: 'pending', expires: 10 }, { status, response: answer(status) })).toBe(true);
    }
  });

  it('keeps it on a 2xx, and on an error that asks to be tried later (Retry-After)', () => {
    for (const status of [200, 202]) expect(notifyEndsSubscription(ACTIVE, { status, response: answer(status) })).toBe(false);
    expect(notifyEndsSubscription(ACTIVE, { status: 503, response: answer(503, 'Retry-After: 30\r\n') })).toBe(false);
  });

  it('has nothing to end after the final NOTIFY', () => {
    expect(notifyEndsSubscription({ state: 'terminated', reason: 'timeout' }, { status: 481, response: null })).toBe(false);
  });
});
