import { parseVia } from '@herald/sip';
import { responseDestination } from './response-destination.js';

describe('RFC 3261 §18.2.2 / RFC 3581 §4 response destination', () => {
  it('sends UDP to received at rport', () => {
    expect(responseDestination(parseVia('SIP/2.0/UDP 10.1.1.1:4540;received=192.0.2.1;rport=9988;branch=z9hG4bK1'))).toEqual({
      transport: 'udp',
      address: '192.0.2.1',
      port: 9988,
    });
  });

  it('sends UDP to received at the sent-by port without rport', () => {
    expect(responseDestination(parseVia('SIP/2.0/UDP 10.1.1.1:4540;received=192.0.2.1;branch=z9hG4bK1'))).toEqual({ transport: 'udp', address: '192.0.2.1', port: 4540 });
  });

  it('uses the sent-by host and the default port when nothing else is known', () => {
    expect(responseDestination(parseVia('SIP/2.0/UDP 10.1.1.1;branch=z9hG4bK1'))).toEqual({ transport: 'udp', address: '10.1.1.1', port: 5060 });
    expect(responseDestination(parseVia('SIP/2.0/TLS [2001:db8::1];branch=z9hG4bK1'))).toEqual({ transport: 'tls', address: '2001:db8::1', port: 5061 });
  });

  it('never sends to maddr: the sender does not choose where its responses go', () => {
    expect(responseDestination(parseVia('SIP/2.0/UDP 10.1.1.1:5070;maddr=239.255.255.1;received=192.0.2.1;branch=z9hG4bK1'))).toEqual({ transport: 'udp', address: '192.0.2.1', port: 5070 });
  });

  it('ignores rport on reliable transports: the new connection goes to the sent-by port', () => {
    expect(responseDestination(parseVia('SIP/2.0/TCP 10.1.1.1:5070;received=192.0.2.1;rport=40000;branch=z9hG4bK1'))).toEqual({ transport: 'tcp', address: '192.0.2.1', port: 5070 });
  });

  it('refuses a transport Herald does not speak', () => {
    expect(() => responseDestination(parseVia('SIP/2.0/SCTP 10.1.1.1;branch=z9hG4bK1'))).toThrow(expect.objectContaining({ code: 'SIP_ERR_TRANSPORT_UNSUPPORTED' }));
  });
});
