import { isToken } from './grammar.js';
import { headerKey, knownNameAt } from './header-names.js';
import { parseMessage } from './parser.js';

const msg = (...lines: string[]) => Buffer.from(lines.join('\r\n'));

const OPTIONS = [
  'OPTIONS sip:example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1',
  'From: <sip:a@example.com>;tag=1',
  'To: <sip:example.com>',
  'Call-ID: c1@192.0.2.1',
  'CSeq: 1 OPTIONS',
];

/** Spellings the parser's table of known names must read exactly as slicing the name and `headerKey` would. */
const SPELLINGS = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''),
  'Via', 'via', 'VIA', 'vIa', 'Call-ID', 'call-id', 'Call-Id', 'CALL-ID', 'CSeq', 'cseq', 'CSEQ', 'Cseq',
  'MIME-Version', 'Mime-Version', 'mime-version', 'SIP-ETag', 'Sip-ETag', 'sip-etag', 'RSeq', 'RAck', 'rack',
  'WWW-Authenticate', 'Www-Authenticate', 'www-authenticate', 'Identity-Info', 'identity-info', 'Identity', 'identity',
  'Min-SE', 'min-se', 'Min-Se', 'P-Asserted-Identity', 'p-asserted-identity', 'Flow-Timer', 'Accept-Contact',
  'Subjec', 'Subjects', 'Vi', 'Viaa', 'X-Via', 'To2', 'Tos', 'Fro', 'Fromm', 'Call-IDs', 'Contact-', '-Contact',
  'Content-Length', 'content-length', 'Content-length', 'ContentLength', 'Request-Disposition', 'Reject-Contact',
  'Session-Expires', 'session-expires', 'Referred-By', 'Refer-To', 'Allow-Events', 'Content-Encoding', 'Event', 'EVENT',
];

describe('RFC 3261 §7.3 header names read through the table of known spellings', () => {
  it('gives every known spelling the key headerKey gives it, each one a token', () => {
    for (const name of SPELLINGS) {
      const text = `xx${name}yy`;
      const known = knownNameAt(text, 2, 2 + name.length);
      if (known === undefined) continue;
      expect([name, known.name, known.key, isToken(known.name)]).toEqual([name, name, headerKey(name), true]);
    }
  });

  it('keys each spelling in a message as headerKey does, compact forms and upper case included', () => {
    for (const name of SPELLINGS) {
      // a second From, To, Call-ID or CSeq is a 400, checked below
      if (['from', 'to', 'call-id', 'cseq'].includes(headerKey(name))) continue;
      for (const before of ['', ' ', '\t ']) {
        const line = `${name}${before}: 0`;
        const m = parseMessage(msg(...OPTIONS, line, '', ''));
        const h = m.headers[m.headers.length - 1];
        expect([h.name, h.key, h.value, h.raw]).toEqual([name, headerKey(name), '0', line]);
      }
    }
  });

  it('still answers 400 to a second From, To, Call-ID or CSeq however it is spelled', () => {
    for (const name of ['f', 'F', 'FROM', 't', 'T', 'tO', 'i', 'I', 'CALL-ID', 'CSEQ', 'cseq']) {
      expect(() => parseMessage(msg(...OPTIONS, `${name}: x`, '', ''))).toThrow(/Multiple /);
    }
  });

  it('refuses a name with a byte beyond ASCII or a space inside, whatever known name it resembles', () => {
    for (const name of ['V\u00eda', '\u00e9', 'C\u00f3ntact', 'Call ID', 'Vi\u0000', '\u0176ia', '\u0100', 'x\u0301', '\u{1F600}']) {
      expect(() => parseMessage(msg(...OPTIONS, `${name}: x`, '', ''))).toThrow(/Malformed header name/);
    }
  });
});
