import type { SipRequest } from '@herald/sip';
import type { Flow } from '../flow/flow.js';
import { decodeMessage } from './decode-message.js';
import { resolveLimits } from './transport-limits.js';

const flow: Flow = { id: 'udp:x', transport: 'udp', owner: 'test~1~00', localAddress: '127.0.0.1', localPort: 5060, remoteAddress: '192.0.2.7', remotePort: 40000 };
const limits = resolveLimits({ maxMessageSize: 2000 });

function text(lines: string[], body = ''): Buffer {
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body);
}

const HEADERS = ['Via: SIP/2.0/UDP pc.example.com;rport;branch=z9hG4bK1', 'From: <sip:a@x>;tag=1', 'To: <sip:b@x>', 'Call-ID: c1', 'CSeq: 1 OPTIONS'];

describe('decodeMessage', () => {
  it('drops a CRLF keep-alive silently', () => {
    expect(decodeMessage(Buffer.from('\r\n\r\n'), flow, true, limits)).toEqual({ kind: 'drop', reason: null });
  });

  it('hands over a request with received and rport in its top Via', () => {
    const decoded = decodeMessage(text(['OPTIONS sip:x SIP/2.0', ...HEADERS]), flow, true, limits);
    expect(decoded.kind).toBe('message');
    const req = (decoded as { message: SipRequest }).message;
    expect(req.topVia.params.get('received')).toBe('192.0.2.7');
    expect(req.topVia.params.get('rport')).toBe('40000');
  });

  it('answers a malformed request with the parse error as a response (RFC 3261 §21.4.1)', () => {
    const decoded = decodeMessage(text(['OPTIONS sip:x SIP/2.0', ...HEADERS.filter((h) => !h.startsWith('Call-ID'))]), flow, true, limits);
    expect(decoded).toMatchObject({ kind: 'reply', response: { status: 400, reason: 'Missing Call-ID header' } });
  });

  it('answers a request of another SIP version with 505', () => {
    const decoded = decodeMessage(text(['OPTIONS sip:x SIP/3.0', ...HEADERS]), flow, true, limits);
    expect(decoded).toMatchObject({ kind: 'reply', response: { status: 505 } });
  });

  it('never answers an ACK (RFC 3261 §17.1.1.3)', () => {
    const decoded = decodeMessage(text(['ACK sip:x SIP/2.0', ...HEADERS.slice(0, 4)]), flow, true, limits);
    expect(decoded.kind).toBe('drop');
  });

  it('answers a request whose Via cannot be read on its flow, with the Via problem', () => {
    const decoded = decodeMessage(text(['OPTIONS sip:x SIP/2.0', 'Via: garbage', ...HEADERS.slice(1)]), flow, true, limits);
    expect(decoded).toMatchObject({ kind: 'reply', response: { status: 400 } });
    expect(decoded.kind === 'reply' && decoded.response.reason).toMatch(/^Malformed Via header/);
  });

  it('drops an ACK whose Via cannot be read, and a response that does not parse', () => {
    expect(decodeMessage(text(['ACK sip:x SIP/2.0', 'Via: garbage', ...HEADERS.slice(1, 4), 'CSeq: 1 ACK']), flow, true, limits).kind).toBe('drop');
    expect(decodeMessage(text(['SIP/2.0 200 OK', ...HEADERS.slice(0, 3)]), flow, true, limits).kind).toBe('drop');
  });

  it('answers a request over maxMessageSize with 513 (RFC 3261 §21.5.14) and drops anything else that large', () => {
    const big = 'x'.repeat(2100);
    const req = decodeMessage(text(['MESSAGE sip:x SIP/2.0', ...HEADERS.slice(0, 4), 'CSeq: 1 MESSAGE', `Content-Length: ${big.length}`], big), flow, true, limits);
    expect(req).toMatchObject({ kind: 'reply', response: { status: 513, reason: 'Message Too Large' } });
    expect(decodeMessage(Buffer.from('x'.repeat(2100)), flow, true, limits).kind).toBe('drop');
  });

  it('applies maxHeaderSize and maxBodySize too', () => {
    const small = resolveLimits({ maxHeaderSize: 300, maxBodySize: 10 });
    const longHeader = text(['OPTIONS sip:x SIP/2.0', ...HEADERS, `Subject: ${'s'.repeat(300)}`]);
    expect(decodeMessage(longHeader, flow, true, small)).toMatchObject({ kind: 'reply', response: { status: 513 } });
    const longBody = text(['OPTIONS sip:x SIP/2.0', ...HEADERS, 'Content-Length: 11'], 'hello world');
    expect(decodeMessage(longBody, flow, true, small)).toMatchObject({ kind: 'reply', response: { status: 513 } });
  });
});
