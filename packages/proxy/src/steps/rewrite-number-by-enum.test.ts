import { type MailboxUri, type SipRequest, parseMessage, parseUri } from '@herald/sip';
import { requestText } from '@herald/test-kit';
import { sipAddressOfMailbox } from '../routing/mailbox-address.js';
import { enumservicesFor } from './rewrite-number-by-enum.js';

function request(method: string, headers: string[] = []): SipRequest {
  return parseMessage(Buffer.from(requestText({ method, uri: 'tel:+12025550100', headers }))) as SipRequest;
}

describe('RFC 6116 Enumservices by method', () => {
  it('wants im, then sip, for MESSAGE (RFC 5028 §3)', () => {
    expect(enumservicesFor(request('MESSAGE'))).toEqual(['im', 'sip']);
  });

  it('wants pres, then sip, for a presence SUBSCRIBE (RFC 3953 §3), and sip for another event package', () => {
    expect(enumservicesFor(request('SUBSCRIBE', ['Event: Presence']))).toEqual(['pres', 'sip']);
    expect(enumservicesFor(request('SUBSCRIBE', ['Event: dialog']))).toEqual(['sip']);
  });

  it('wants sip for INVITE and the rest', () => {
    expect(enumservicesFor(request('INVITE'))).toEqual(['sip']);
    expect(enumservicesFor(request('OPTIONS'))).toEqual(['sip']);
  });
});

describe('RFC 3861 §3 the SIP address of an im:/pres: URI', () => {
  it.each([
    ['im:alice@example.com', 'sip:alice@example.com'],
    ['pres:Alice@Example.COM', 'sip:Alice@example.com'],
    ['im:alice@example.com?subject=hi', 'sip:alice@example.com'],
    ['im:a%20b@example.com', 'sip:a%20b@example.com'],
  ])('%s is %s', (mailbox, sip) => {
    expect(sipAddressOfMailbox(parseUri(mailbox) as MailboxUri)).toBe(sip);
  });
});
