import { LocalIdentity } from '@herald/proxy';
import { SipError, type SipRequest, parseMessage } from '@herald/sip';
import type { Subscription } from '@herald/store';
import { type RequestText, requestText } from '@herald/test-kit';

/** The served domain of the presence unit tests, and Herald's own address. */
export const DOMAIN = 'example.com';
export const HERALD = { address: '192.0.2.1', port: 5060 };
export const NOW = 1_700_000_000_000;

export function identity(): LocalIdentity {
  return new LocalIdentity([DOMAIN], [HERALD], []);
}

/** A request as the parser gives it (`requestText`'s defaults, in example.com). */
export function sipRequest(options: RequestText = {}): SipRequest {
  return parseMessage(Buffer.from(requestText({ from: `<sip:alice@${DOMAIN}>;tag=w1`, to: `<sip:bob@${DOMAIN}>`, ...options }))) as SipRequest;
}

/** An initial SUBSCRIBE from alice to bob for `presence`, plus `headers`. */
export function subscribeRequest(headers: string[] = [], options: RequestText = {}): SipRequest {
  return sipRequest({ method: 'SUBSCRIBE', uri: `sip:bob@${DOMAIN}`, headers: ['Event: presence', 'Contact: <sip:alice@198.51.100.7:5062>', ...headers], ...options });
}

/** The SipError `fn` throws; fails the test when it throws nothing or something else. */
export function rejection(fn: () => unknown): SipError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SipError) return e;
    throw e;
  }
  throw new Error('expected a SipError');
}

/** The SipError `promise` rejects with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<SipError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof SipError) return e;
    throw e;
  }
  throw new Error('expected a SipError');
}

/** A stored subscription of alice (watcher) to bob, as an initial SUBSCRIBE writes it; `fields` override. */
export function subscription(fields: Partial<Subscription> = {}): Subscription {
  return {
    id: 'c1;w1;h1',
    event: 'presence',
    resource: `sip:bob@${DOMAIN}`,
    watcher: `sip:alice@${DOMAIN}`,
    remoteTarget: 'sip:alice@198.51.100.7:5062',
    routeSet: [],
    callId: 'c1',
    localTag: 'h1',
    remoteTag: 'w1',
    localUri: `sip:bob@${DOMAIN}`,
    remoteUri: `sip:alice@${DOMAIN}`,
    localCseq: 1,
    remoteCseq: 1,
    status: 'active',
    accept: [],
    expiresAt: NOW + 3600_000,
    flow: { id: 'udp-1', transport: 'udp', owner: 'n/1', localAddress: HERALD.address, localPort: HERALD.port, remoteAddress: '198.51.100.7', remotePort: 5062 },
    data: { format: 'application/pidf+xml', polite: false },
    version: 1,
    ...fields,
  };
}
