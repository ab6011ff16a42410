import type { Flow } from '@herald/proxy';
import { HERALD, NOW, rejection, subscription } from '../../test/helpers/presence-requests.js';
import { applyRefresh } from './apply-refresh.js';
import type { RefreshRequest } from './read-subscribe.js';

const LIMITS = { defaultExpires: 3600, minExpires: 60, maxExpires: 7200 };
const FLOW: Flow = { id: 'tcp-2', transport: 'tcp', owner: 'n/2', localAddress: HERALD.address, localPort: HERALD.port, remoteAddress: '198.51.100.7', remotePort: 40000 };
const refresh = (fields: Partial<RefreshRequest> = {}): RefreshRequest => ({ id: 'c1;w1;h1', event: 'presence', cseq: 2, expires: 600, contact: null, ...fields });

describe('RFC 6665 §4.1.2.1 refreshing a subscription', () => {
  it('extends it from now, reserves the next NOTIFY CSeq and takes the flow it came in on', () => {
    const outcome = applyRefresh(subscription(), refresh(), LIMITS, FLOW, NOW + 5000);
    expect(outcome).toEqual({ kind: 'refresh', expires: 600, next: subscription({ remoteCseq: 2, localCseq: 2, expiresAt: NOW + 5000 + 600_000, flow: FLOW, version: 2 }) });
  });

  it('is a target refresh: a Contact becomes the remote target, none keeps it', () => {
    const moved = applyRefresh(subscription(), refresh({ contact: 'sip:alice@203.0.113.5:5070' }), LIMITS, FLOW, NOW);
    expect(moved.kind === 'refresh' && moved.next.remoteTarget).toBe('sip:alice@203.0.113.5:5070');
    const kept = applyRefresh(subscription(), refresh(), LIMITS, FLOW, NOW);
    expect(kept.kind === 'refresh' && kept.next.remoteTarget).toBe('sip:alice@198.51.100.7:5062');
  });

  it('negotiates the interval as an initial SUBSCRIBE does (423 below the minimum)', () => {
    expect(rejection(() => applyRefresh(subscription(), refresh({ expires: 10 }), LIMITS, FLOW, NOW)).status).toBe(423);
    const capped = applyRefresh(subscription(), refresh({ expires: 99_999 }), LIMITS, FLOW, NOW);
    expect(capped.kind === 'refresh' && capped.expires).toBe(7200);
  });
});

describe('RFC 6665 §4.1.2.3 unsubscribing', () => {
  it('ends the subscription on Expires: 0, with the CSeq of the unsubscribe', () => {
    expect(applyRefresh(subscription(), refresh({ expires: 0 }), LIMITS, FLOW, NOW)).toEqual({ kind: 'unsubscribe', ended: subscription({ remoteCseq: 2 }) });
  });
});

describe('RFC 3261 §12.2.2 requests in a subscription dialog', () => {
  it('answers 481 when Herald holds no such subscription', () => {
    expect(rejection(() => applyRefresh(undefined, refresh({ event: 'dialog' }), LIMITS, FLOW, NOW)).status).toBe(481);
  });

  it('answers 489 for another package than the dialog is for, or none', () => {
    for (const event of ['presence.winfo', 'dialog', undefined]) {
      const e = rejection(() => applyRefresh(subscription(), refresh({ event }), LIMITS, FLOW, NOW));
      expect(e.status).toBe(489);
      expect(e.headers).toContainEqual(['Allow-Events', 'presence, presence.winfo']);
    }
  });

  it('answers 500 to a CSeq not above the last one, before looking at the interval', () => {
    expect(rejection(() => applyRefresh(subscription({ remoteCseq: 4 }), refresh({ cseq: 4, expires: 1 }), LIMITS, FLOW, NOW)).status).toBe(500);
    expect(rejection(() => applyRefresh(subscription({ remoteCseq: 4 }), refresh({ cseq: 3 }), LIMITS, FLOW, NOW)).status).toBe(500);
  });
});
