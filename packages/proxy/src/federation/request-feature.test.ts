import { type SipRequest, parseMessage } from '@herald/sip';
import { requestText } from '@herald/test-kit';
import { FlowOffences } from './flow-offences.js';
import { requestFeature } from './request-feature.js';

function request(method: string, body?: string): SipRequest {
  return parseMessage(Buffer.from(requestText({ method, uri: 'sip:bob@peer.test', ...(body !== undefined && { body, headers: ['Content-Type: application/sdp'] }) }))) as SipRequest;
}

const SDP = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=message 7654 TCP/MSRP *\r\n';

describe('the feature a request uses', () => {
  it.each([
    ['MESSAGE', 'messages'],
    ['SUBSCRIBE', 'presence'],
    ['NOTIFY', 'presence'],
    ['PUBLISH', 'presence'],
    ['INVITE', 'calls'],
    ['OPTIONS', null],
    ['INFO', null],
  ])('%s is %s', (method, feature) => {
    expect(requestFeature(request(method))).toBe(feature);
  });

  it('RFC 5547 §6: an INVITE whose SDP has a=file-selector is fileTransfer', () => {
    expect(requestFeature(request('INVITE', `${SDP}a=sendonly\r\na=file-selector:name:"a.txt" type:text/plain size:10\r\n`))).toBe('fileTransfer');
    expect(requestFeature(request('INVITE', `${SDP}a=sendonly\r\n`))).toBe('calls');
    expect(requestFeature(request('INVITE', `${SDP}a=x-note:a=file-selector\r\n`))).toBe('calls');
  });
});

describe('offences on a flow', () => {
  it('says close at the third offence on the same flow, counting each flow apart', () => {
    const offences = new FlowOffences();
    expect([offences.offend('tls-1'), offences.offend('tls-2'), offences.offend('tls-1'), offences.offend('tls-1')]).toEqual([false, false, false, true]);
    expect(offences.offend('tls-1')).toBe(false);
  });

  it('starts again on a flow that closed', () => {
    const offences = new FlowOffences();
    offences.offend('tls-1');
    offences.offend('tls-1');
    offences.forget('tls-1');
    expect(offences.offend('tls-1')).toBe(false);
  });
});
