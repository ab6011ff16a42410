import { parseUri } from '@herald/sip';
import { uriDomain } from './uri-domain.js';

describe('uriDomain', () => {
  it('is the lower-case host without a trailing dot or an IPv6 reference\'s brackets', () => {
    expect(uriDomain(parseUri('sip:alice@Peer.Example.'))).toBe('peer.example');
    expect(uriDomain(parseUri('sips:[2001:DB8::1]:5061'))).toBe('2001:db8::1');
    expect(uriDomain(parseUri('im:bob@peer.example'))).toBe('peer.example');
  });

  it('is null for a URI without a domain', () => {
    expect(uriDomain(parseUri('tel:+15551234567'))).toBeNull();
  });
});
