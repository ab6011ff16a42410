import { LocalIdentity } from '@herald/proxy';
import { type SipRequest, parseMessage } from '@herald/sip';
import { messageSender } from './message-sender.js';

const identity = new LocalIdentity(['example.com'], [{ address: '192.0.2.1', port: 5060 }], []);

function fromHeader(from: string): SipRequest {
  const text = ['MESSAGE sip:bob@example.com SIP/2.0', 'Via: SIP/2.0/UDP 198.51.100.2;branch=z9hG4bKm1', `From: ${from};tag=1`, 'To: <sip:bob@example.com>', 'Call-ID: m1', 'CSeq: 1 MESSAGE', 'Content-Length: 0', '', ''].join('\r\n');
  return parseMessage(Buffer.from(text)) as SipRequest;
}

describe('who a MESSAGE is from, as the caps of the offline store count it', () => {
  it('is the authenticated user, local, whatever From says', () => {
    expect(messageSender(fromHeader('<sip:x@spam.example>'), { user: 'alice', domain: 'example.com', aor: 'sip:alice@example.com' }, identity)).toEqual({ aor: 'sip:alice@example.com', foreignDomain: null });
  });

  it('is the From AoR, with its domain when that is not a served one, in any spelling', () => {
    expect(messageSender(fromHeader('<sip:Zed@Spam.Example.:5070;transport=tcp>'), null, identity)).toEqual({ aor: 'sip:Zed@spam.example', foreignDomain: 'spam.example' });
    expect(messageSender(fromHeader('<sip:carol@EXAMPLE.com>'), null, identity)).toEqual({ aor: 'sip:carol@example.com', foreignDomain: null });
    expect(messageSender(fromHeader('<sips:spam.example>'), null, identity)).toEqual({ aor: 'sip:spam.example', foreignDomain: 'spam.example' });
    expect(messageSender(fromHeader('<tel:+15551234>'), null, identity)).toEqual({ aor: 'tel:+15551234', foreignDomain: 'tel:' });
  });
});
