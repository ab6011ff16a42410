// The three messages the parser benchmark parses, as the bytes a socket would hand over.
// Realistic shapes: a softphone REGISTER with digest credentials and RFC 5626 outbound
// Contact parameters, a proxied INVITE with an SDP offer, and the 200 OK to that INVITE.

const crlf = (lines) => lines.join('\r\n');

const REGISTER = crlf([
  'REGISTER sip:bench.test SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.15:5060;branch=z9hG4bK.7c1e9a2f4d;rport',
  'Max-Forwards: 70',
  'From: "Alice Liddell" <sip:alice@bench.test>;tag=9fxced76sl',
  'To: "Alice Liddell" <sip:alice@bench.test>',
  'Call-ID: 3848276298220188511@192.0.2.15',
  'CSeq: 2 REGISTER',
  'Contact: <sip:alice@192.0.2.15:5060;transport=udp>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1;expires=3600',
  'Expires: 3600',
  'Authorization: Digest username="alice", realm="bench.test", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", uri="sip:bench.test", response="dfe56131d1958046689d83306477ecc", algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001',
  'User-Agent: Linphone/5.2.0 (belle-sip/5.2.0)',
  'Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO, UPDATE',
  'Supported: outbound, path, replaces, gruu',
  'Content-Length: 0',
  '',
  '',
]);

const SDP = crlf([
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 192.0.2.15',
  's=Talk',
  'c=IN IP4 192.0.2.15',
  't=0 0',
  'a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics',
  'm=audio 7078 RTP/AVP 96 0 8 101',
  'a=rtpmap:96 opus/48000/2',
  'a=fmtp:96 useinbandfec=1',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=sendrecv',
  '',
]);

const INVITE = crlf([
  'INVITE sip:bob@192.0.2.30:5060;transport=udp SIP/2.0',
  'Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK.proxy.a1b2c3d4e5',
  'Via: SIP/2.0/UDP 192.0.2.15:5060;received=203.0.113.7;rport=5062;branch=z9hG4bK.uac.776asdhds',
  'Max-Forwards: 69',
  'Record-Route: <sip:198.51.100.1;lr>',
  'From: "Alice Liddell" <sip:alice@bench.test>;tag=1928301774',
  'To: <sip:bob@bench.test>',
  'Call-ID: a84b4c76e66710@192.0.2.15',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@192.0.2.15:5060;transport=udp>',
  'Content-Type: application/sdp',
  `Content-Length: ${Buffer.byteLength(SDP)}`,
  '',
  SDP,
]);

const OK_200 = crlf([
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK.proxy.a1b2c3d4e5',
  'Via: SIP/2.0/UDP 192.0.2.15:5060;received=203.0.113.7;rport=5062;branch=z9hG4bK.uac.776asdhds',
  'Record-Route: <sip:198.51.100.1;lr>',
  'From: "Alice Liddell" <sip:alice@bench.test>;tag=1928301774',
  'To: <sip:bob@bench.test>;tag=a6c85cf',
  'Call-ID: a84b4c76e66710@192.0.2.15',
  'CSeq: 314159 INVITE',
  'Contact: <sip:bob@192.0.2.30:5060;transport=udp>',
  'Content-Length: 0',
  '',
  '',
]);

/** name → Buffer, in the order the table prints them. */
export const messages = {
  REGISTER: Buffer.from(REGISTER, 'latin1'),
  INVITE: Buffer.from(INVITE, 'latin1'),
  '200 OK': Buffer.from(OK_200, 'latin1'),
};
