import { SipError, type SipRequest, parseMessage } from '@herald/sip';
import type { Binding, FlowRef } from '@herald/store';
import { applyRegister } from './apply-register.js';
import { storedBindingKey } from './contact-key.js';
import { readRegister } from './read-register.js';
import type { RegistrarPolicy } from './registrar-policy.js';

const NOW = 1_700_000_000_000;
const POLICY: RegistrarPolicy = { defaultExpires: 3600, minExpires: 60, maxExpires: 7200, maxContacts: 3 };
const FLOW: FlowRef = { id: 'tcp-1', transport: 'tcp', owner: 'n/1', localAddress: '127.0.0.1', localPort: 5060, remoteAddress: '127.0.0.1', remotePort: 40000 };

function register(lines: string[], { callId = 'c1', cseq = 1, vias = 1 } = {}): SipRequest {
  const text = [
    'REGISTER sip:example.com SIP/2.0',
    ...Array.from({ length: vias }, (_, i) => `Via: SIP/2.0/TCP 192.0.2.${i + 1}:5060;branch=z9hG4bK${i}x${cseq}`),
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=f1',
    'To: <sip:alice@example.com>',
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} REGISTER`,
    ...lines,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text)) as SipRequest;
}

function apply(current: Binding[], req: SipRequest, policy = POLICY, now = NOW): Binding[] {
  return applyRegister(current, readRegister(req, FLOW), policy, now, storedBindingKey);
}

function rejection(fn: () => unknown): SipError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SipError) return e;
    throw e;
  }
  throw new Error('expected a SipError');
}

describe('RFC 3261 §10.3 step 6 Contact and expiry', () => {
  it('uses the expires parameter, then the Expires header, then the default', () => {
    const [a] = apply([], register(['Contact: <sip:a@192.0.2.1>;expires=120', 'Expires: 300']));
    expect(a.expiresAt).toBe(NOW + 120_000);
    const [b] = apply([], register(['Contact: <sip:a@192.0.2.1>', 'Expires: 300']));
    expect(b.expiresAt).toBe(NOW + 300_000);
    const [c] = apply([], register(['Contact: <sip:a@192.0.2.1>']));
    expect(c.expiresAt).toBe(NOW + POLICY.defaultExpires * 1000);
  });

  it('refuses a non-zero interval below the minimum with 423 and Min-Expires', () => {
    const e = rejection(() => apply([], register(['Contact: <sip:a@192.0.2.1>;expires=30'])));
    expect(e.status).toBe(423);
    expect(e.headers).toContainEqual(['Min-Expires', '60']);
  });

  it('shortens an interval above the maximum', () => {
    const [a] = apply([], register(['Contact: <sip:a@192.0.2.1>;expires=999999']));
    expect(a.expiresAt).toBe(NOW + POLICY.maxExpires * 1000);
  });

  it('keeps q and the other parameters, and refuses a malformed q', () => {
    const [a] = apply([], register(['Contact: <sip:a@192.0.2.1>;q=0.5;+sip.instance="<urn:uuid:1>";expires=100']));
    expect(a.q).toBe(0.5);
    expect(a.params).toBe(';+sip.instance="<urn:uuid:1>"');
    expect(rejection(() => apply([], register(['Contact: <sip:a@192.0.2.1>;q=1.5']))).status).toBe(400);
  });

  it('accepts Contact: * with Expires: 0 only', () => {
    const current = apply([], register(['Contact: <sip:a@192.0.2.1>', 'Contact: <sip:b@192.0.2.2>']));
    expect(apply(current, register(['Contact: *', 'Expires: 0'], { cseq: 2 }))).toEqual([]);
    expect(rejection(() => apply(current, register(['Contact: *'], { cseq: 2 }))).status).toBe(400);
    expect(rejection(() => apply(current, register(['Contact: *', 'Expires: 10'], { cseq: 2 }))).status).toBe(400);
  });

  it('answers a query (no Contact) with the bindings unchanged', () => {
    const current = apply([], register(['Contact: <sip:a@192.0.2.1>']));
    expect(apply(current, register([], { cseq: 2 }))).toEqual(current);
  });
});

describe('RFC 3261 §10.3 step 7 Call-ID and CSeq ordering', () => {
  const first = () => apply([], register(['Contact: <sip:a@192.0.2.1>;expires=100'], { cseq: 5 }));

  it('updates the binding on a later CSeq of the same Call-ID', () => {
    const [b] = apply(first(), register(['Contact: <sip:a@192.0.2.1>;expires=200'], { cseq: 6 }), POLICY, NOW + 1000);
    expect(b.cseq).toBe(6);
    expect(b.expiresAt).toBe(NOW + 1000 + 200_000);
  });

  it('refuses an older CSeq of the same Call-ID, leaving the binding as it was', () => {
    const current = first();
    expect(rejection(() => apply(current, register(['Contact: <sip:a@192.0.2.1>;expires=0'], { cseq: 4 }))).status).toBe(400);
  });

  it('answers the same CSeq again (a retransmission another worker sees) without changing the binding', () => {
    const current = first();
    expect(apply(current, register(['Contact: <sip:a@192.0.2.1>;expires=100'], { cseq: 5 }), POLICY, NOW + 2000)).toEqual(current);
  });

  it('lets another Call-ID replace or remove the binding whatever its CSeq', () => {
    expect(apply(first(), register(['Contact: <sip:a@192.0.2.1>;expires=0'], { callId: 'c2', cseq: 1 }))).toEqual([]);
    const [b] = apply(first(), register(['Contact: <sip:a@192.0.2.1>'], { callId: 'c2', cseq: 1 }));
    expect(b.callId).toBe('c2');
  });

  it('compares contact URIs as RFC 3261 §19.1.4 does (transport counts, unrelated parameters do not)', () => {
    const next = apply(first(), register(['Contact: <sip:a@192.0.2.1;foo=bar>;expires=300'], { cseq: 6 }));
    expect(next).toHaveLength(1);
    const other = apply(first(), register(['Contact: <sip:a@192.0.2.1;transport=tcp>'], { cseq: 6 }));
    expect(other).toHaveLength(2);
  });

  it('does not remove bindings with the wildcard from an older CSeq of their Call-ID', () => {
    expect(rejection(() => apply(first(), register(['Contact: *', 'Expires: 0'], { cseq: 5 }))).status).toBe(400);
  });
});

describe('registrar.maxContacts', () => {
  it('refuses a registration that would bind more contacts than allowed', () => {
    const three = apply([], register(['Contact: <sip:a@192.0.2.1>, <sip:b@192.0.2.1>, <sip:c@192.0.2.1>']));
    expect(three).toHaveLength(3);
    expect(rejection(() => apply(three, register(['Contact: <sip:d@192.0.2.1>'], { callId: 'c9' }))).status).toBe(403);
  });
});

describe('RFC 5626 §6 outbound registrations', () => {
  const ob = (contact: string, cseq: number, callId = 'c1', extra: string[] = []) =>
    register([`Contact: <${contact}>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1`, 'Supported: outbound', ...extra], { callId, cseq });

  it('replaces the binding of the same instance and reg-id, whatever its Contact URI', () => {
    const first = apply([], ob('sip:a@192.0.2.1;transport=tcp', 1));
    const next = apply(first, ob('sip:a@198.51.100.7;transport=tcp', 1, 'c2'));
    expect(next).toHaveLength(1);
    expect(next[0].contact).toBe('sip:a@198.51.100.7;transport=tcp');
    expect(next[0].regId).toBe(1);
    expect(next[0].instanceId).toBe('urn:uuid:00000000-0000-1000-8000-000A95A0E128');
  });

  it('ignores reg-id when the client does not support outbound', () => {
    const req = register(['Contact: <sip:a@192.0.2.1>;+sip.instance="<urn:uuid:1>";reg-id=1']);
    const update = readRegister(req, FLOW);
    expect(update.outbound).toBe(false);
    expect(update.contacts[0].regId).toBeNull();
  });

  it('ignores reg-id when another proxy is the first hop and did not mark itself with ob in Path', () => {
    const req = register(['Contact: <sip:a@192.0.2.1>;+sip.instance="<urn:uuid:1>";reg-id=1', 'Supported: outbound, path', 'Path: <sip:edge.example.com;lr>'], { vias: 2 });
    expect(readRegister(req, FLOW).outbound).toBe(false);
    const marked = register(['Contact: <sip:a@192.0.2.1>;+sip.instance="<urn:uuid:1>";reg-id=1', 'Supported: outbound, path', 'Path: <sip:edge.example.com;lr;ob>'], { vias: 2 });
    expect(readRegister(marked, FLOW).outbound).toBe(true);
  });
});

describe('RFC 3327 §5.3 Path', () => {
  it('stores Path with the binding and echoes it only when the client supports path', () => {
    const req = register(['Contact: <sip:a@192.0.2.1>', 'Path: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>', 'Supported: path'], { vias: 3 });
    const [b] = apply([], req);
    expect(b.path).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
    expect(readRegister(req, FLOW).echoPath).toBe(true);
    expect(readRegister(register(['Contact: <sip:a@192.0.2.1>', 'Path: <sip:p1.example.com;lr>'], { vias: 2 }), FLOW).echoPath).toBe(false);
  });
});

