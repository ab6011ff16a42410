import { SipRequest } from './message.js';
import { parseMessage } from './parser.js';
import { createResponse } from './response.js';
import { SipError } from './sip-error.js';

describe('RFC 3261 §25.1 Reason-Phrase of an error', () => {
  it('writes out the control characters a reason quotes from the request', () => {
    const e = new SipError(400, 'Malformed From header: invalid character "\r" in parameter "tag"', 'SIP_ERR_PARSE_MALFORMED');
    expect(e.reason).toBe('Malformed From header: invalid character "\\x0d" in parameter "tag"');
    expect(new SipError(400, 'bad \x00\x1b\x7f', 'X').reason).toBe('bad \\x00\\x1b\\x7f');
  });

  it('keeps a reason without control characters as it is, HTAB and UTF-8 included', () => {
    expect(new SipError(400, 'Malformed To header:\tcafé', 'X').reason).toBe('Malformed To header:\tcafé');
  });

  // Found by fuzz/targets/sip-parser.js: a lone CR inside a From tag reached the 400's status line.
  it('answers a From tag holding a lone CR with a status line of one line', () => {
    const req = parseMessage(
      Buffer.from(
        'OPTIONS sip:user@example.com SIP/2.0\r\nTo: sip:user@example.com\r\nFrom: sip:user@example.com;tag=810x2\r__proto__\n' +
          'Via: SIP/2.0/UDP lab1.east.example.com;branch=z9hG4bKas3-111\r\nCall-ID: G9559905523997077@hlau_4100\r\nCSeq: 689 OPTIONS\r\n' +
          'Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
      ),
    ) as SipRequest;
    let error: SipError | undefined;
    try {
      req.validate();
    } catch (e) {
      error = e as SipError;
    }
    expect(error).toBeInstanceOf(SipError);
    const statusLine = createResponse(req, error!.status, error!.reason).toString().split('\r\n')[0];
    expect(statusLine).toMatch(/^SIP\/2\.0 400 Malformed From header: .*\\x0d/);
    expect(statusLine).not.toMatch(/[\r\n]/);
  });
});
