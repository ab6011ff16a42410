import { parseVia } from '@herald/sip';
import { ourVia } from './proxy-core.js';

describe('RFC 3261 §16.6 step 8: the Via the proxy core adds', () => {
  it('is what parsing its text would give, for each kind of sent-by', () => {
    for (const sentBy of ['SIP/2.0/UDP 192.0.2.1:5060', 'SIP/2.0/TLS [2001:db8::1]:5061', 'SIP/2.0/WSS proxy.example.com:443', 'SIP/2.0/TCP proxy.example.com']) {
      const branch = 'z9hG4bK0123456789.abcdef012345';
      const text = `${sentBy};branch=${branch};herald=node-1~42~ab12`;
      expect(ourVia(parseVia(sentBy), branch, 'node-1~42~ab12')).toEqual(parseVia(text));
    }
  });
});
