import { type SipRequest, parseMessage } from '@herald/sip';
import { deliveryRequest, isStorable, offlineRecord } from './offline-message.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const ALICE = { aor: 'sip:alice@example.com', foreignDomain: null };

function message(extra: string[], body = 'hello'): SipRequest {
  const text = [
    'MESSAGE sip:bob@example.com SIP/2.0',
    'Via: SIP/2.0/UDP 198.51.100.2:5062;branch=z9hG4bKm1',
    'Max-Forwards: 69',
    'Route: <sip:edge.example.net;lr>',
    'From: "Alice" <sip:alice@example.com>;tag=a1',
    'To: <sip:bob@example.com>',
    'Call-ID: m1',
    'CSeq: 7 MESSAGE',
    'Proxy-Authorization: Digest username="alice", realm="example.com", nonce="n", uri="sip:bob@example.com", response="r"',
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
  return parseMessage(Buffer.from(text)) as SipRequest;
}

describe('RFC 3428 §7 store-and-forward records', () => {
  it('keeps From, To, Call-ID, CSeq, the sender\'s headers, the body and who sent it, not the per-hop headers or credentials', () => {
    const record = offlineRecord(message(['Content-Type: text/plain', 'Subject: lunch', 'Date: Tue, 01 Dec 2026 10:00:00 GMT']), 'sip:bob@example.com', ALICE, NOW, 60_000);
    expect(record.headers.map(([n]) => n.toLowerCase())).toEqual(['from', 'to', 'call-id', 'cseq', 'subject', 'date']);
    expect(record).toMatchObject({ recipient: 'sip:bob@example.com', contentType: 'text/plain', storedAt: NOW, expiresAt: NOW + 60_000, sender: ALICE });
    expect(record.body.toString()).toBe('hello');
  });

  it('adds the Date it was received when the sender gave none (RFC 3261 §20.17)', () => {
    const record = offlineRecord(message(['Content-Type: text/plain']), 'sip:bob@example.com', ALICE, NOW, 1);
    expect(record.headers).toContainEqual(['Date', 'Tue, 01 Dec 2026 12:00:00 GMT']);
  });

  it('never stores an isComposing indication (RFC 3994 §3), whatever the case of its type', () => {
    expect(isStorable(message(['Content-Type: Application/IM-IsComposing+XML']))).toBe(false);
    expect(isStorable(message(['Content-Type: message/cpim']))).toBe(true);
    expect(isStorable(message([]))).toBe(true);
  });

  it('delivers as a new MESSAGE: the original From, To, Date, Call-ID, CSeq and body, no Via', () => {
    const record = offlineRecord(message(['Content-Type: message/cpim', 'Date: Tue, 01 Dec 2026 10:00:00 GMT']), 'sip:bob@example.com', ALICE, NOW, 1);
    const req = deliveryRequest({ ...record, id: '1', attempts: 0 }, 'example.com');
    expect(req.method).toBe('MESSAGE');
    expect(req.uriText).toBe('sip:bob@example.com');
    expect(req.header('from')).toBe('"Alice" <sip:alice@example.com>;tag=a1');
    expect(req.header('date')).toBe('Tue, 01 Dec 2026 10:00:00 GMT');
    expect(req.header('content-type')).toBe('message/cpim');
    expect(req.callId).toBe('m1');
    expect(req.cseq).toEqual({ seq: 7, method: 'MESSAGE' });
    expect(req.headers.filter((h) => h.key === 'call-id' || h.key === 'cseq')).toHaveLength(2);
    expect(req.via).toEqual([]);
    expect(req.body.toString()).toBe('hello');
  });

  it('gives a message stored without a Call-ID (before they were kept) a new one, and CSeq 1', () => {
    const record = offlineRecord(message([]), 'sip:bob@example.com', ALICE, NOW, 1);
    const old = { ...record, headers: record.headers.filter(([n]) => !/^(call-id|cseq)$/i.test(n)), id: '1', attempts: 0 };
    const req = deliveryRequest(old, 'example.com');
    expect(req.callId).not.toBe('m1');
    expect(req.callId).toMatch(/@example\.com$/);
    expect(req.cseq).toEqual({ seq: 1, method: 'MESSAGE' });
  });
});
