import { createHash } from 'node:crypto';
import { parseMessage, type SipRequest } from '@herald/sip';
import { LOOP_HASH_BYTES, branchLoopHash, loopHash, proxyBranch } from './proxy-branch.js';

/** The loop hash as Herald computed it before the one-shot `hash`: what branches already in flight carry. */
function streamedLoopHash(req: SipRequest): string {
  let text = `${req.uriText}\n${req.from.params.get('tag') ?? ''}\n${req.to.params.get('tag') ?? ''}\n${req.callId}\n${req.cseq.seq}`;
  for (const name of ['route', 'proxy-require', 'proxy-authorization']) for (const v of req.headerValues(name)) text += `\n${v}`;
  return createHash('sha1').update(text).digest('hex').slice(0, 2 * LOOP_HASH_BYTES);
}

function request(uri: string, extra: string[]): SipRequest {
  const text = [
    `MESSAGE ${uri} SIP/2.0`,
    'Via: SIP/2.0/UDP 198.51.100.2:5062;branch=z9hG4bKcaller1',
    'From: "Zoë" <sip:zoe@example.com>;tag=a1',
    'To: <sip:bob@example.com>',
    'Call-ID: call-1',
    'CSeq: 7 MESSAGE',
    ...extra,
    '',
    '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text, 'utf8')) as SipRequest;
}

describe('RFC 3261 §16.6 step 8: the loop hash a branch carries', () => {
  it('is the same SHA-1 over the same UTF-8 bytes as before, so that a request looping through an older worker is still recognised', () => {
    const cases = [
      request('sip:bob@example.com', []),
      request('sip:b%C3%B6b@example.com', ['Route: <sip:192.0.2.9;lr>, <sip:core.example.org;lr>', 'Proxy-Require: foo', 'Proxy-Authorization: Digest realm="exämple", nonce="n"']),
      request('sip:bob@example.com', ['Route: <sip:r\u00e9seau.example;lr>', 'Route: <sip:\u{1F600}.example;lr>']),
    ];
    for (const req of cases) {
      expect(loopHash(req)).toBe(streamedLoopHash(req));
      expect(branchLoopHash(proxyBranch(loopHash(req)))).toBe(loopHash(req));
    }
  });
});
