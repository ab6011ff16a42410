import { parseUri } from '@herald/sip';
import type { NaptrRecord } from './dns-lookup.js';
import { chooseEnumRule, enumDomain, enumservicesOf, globalNumber } from './enum-lookup.js';

function naptr(order: number, preference: number, flags: string, service: string, regexp: string, replacement = ''): NaptrRecord {
  return { order, preference, flags, service, regexp, replacement };
}

describe('RFC 6116 §2.4 the Application Unique String and the ENUM domain', () => {
  it.each([
    ['tel:+12025550100', '+12025550100'],
    ['tel:+1-202-555-0100', '+12025550100'],
    ['tel:+1.(202).555.0100;ext=22', '+12025550100'],
    ['sip:+12025550100@example.test;user=phone', '+12025550100'],
    ['sip:+1-202-555-0100;isub=12@example.test;user=phone', '+12025550100'],
    ['sips:+44-1632-960083@example.test;user=PHONE', '+441632960083'],
  ])('%s is the global number %s', (uri, number) => {
    expect(globalNumber(parseUri(uri))).toBe(number);
  });

  it.each([
    ['a local number', 'tel:5550100;phone-context=+1-202'],
    ['a SIP URI without user=phone', 'sip:+12025550100@example.test'],
    ['a user=phone URI whose user is no global number', 'sip:alice@example.test;user=phone'],
    ['more than 15 digits', 'tel:+1234567890123456'],
    ['no digit', 'tel:+-'],
    ['an im: URI', 'im:alice@example.test'],
  ])('%s is no global number', (_name, uri) => {
    expect(globalNumber(parseUri(uri))).toBeNull();
  });

  it('reverses the digits under the suffix', () => {
    expect(enumDomain('+12025550100', 'e164.arpa')).toBe('0.0.1.0.5.5.5.2.0.2.1.e164.arpa');
    expect(enumDomain('+441632960083', 'E164.Example.')).toBe('3.8.0.0.6.9.2.3.6.1.4.4.e164.example');
  });
});

describe('RFC 6116 §3.4.3 Enumservices of a SERVICES field', () => {
  it.each([
    ['E2U+sip', ['sip']],
    ['e2u+SIP', ['sip']],
    ['E2U+im:sip', ['im']],
    ['E2U+email:mailto', ['email']],
    ['E2U+sip+im', ['sip', 'im']],
    ['E2U+pres', ['pres']],
  ])('%s offers %j', (field, types) => {
    expect(enumservicesOf(field)).toEqual(types);
  });

  it.each(['', 'E2U', 'E2U+', 'SIP+D2U', 'sip+E2U', 'E2U+sip:', 'E2U+s p', `E2U+${'a'.repeat(33)}`])('%j is no ENUM field', (field) => {
    expect(enumservicesOf(field)).toBeNull();
  });
});

describe('RFC 6116 §3.2 choosing among NAPTR records', () => {
  const number = '+441632960083';
  // RFC 6116 §2.4's example zone for +44 1632 960083
  const example = [
    naptr(10, 100, 'U', 'E2U+sip', '!^.*$!sip:info@example.com!'),
    naptr(10, 101, 'U', 'E2U+h323', '!^.*$!h323:info@example.com!'),
    naptr(10, 102, 'U', 'E2U+email:mailto', '!^.*$!mailto:info@example.com!'),
  ];

  it('gives the URI of the record offering the wanted Enumservice', () => {
    expect(chooseEnumRule(example, number, ['sip'])).toEqual({ uri: 'sip:info@example.com', enumservice: 'sip' });
  });

  it('takes the first wanted Enumservice within the lowest Order that serves (E2U+im before E2U+sip for MESSAGE)', () => {
    const sameOrder = [...example, naptr(10, 190, 'U', 'E2U+im', '!^.*$!im:info@example.com!')];
    expect(chooseEnumRule(sameOrder, number, ['im', 'sip'])).toEqual({ uri: 'im:info@example.com', enumservice: 'im' });
    // RFC 3403 §4.1: once one Order has a match, records of a higher Order are not considered.
    const laterOrder = [...example, naptr(20, 10, 'U', 'E2U+im', '!^.*$!im:info@example.com!')];
    expect(chooseEnumRule(laterOrder, number, ['im', 'sip'])).toEqual({ uri: 'sip:info@example.com', enumservice: 'sip' });
    expect(chooseEnumRule(laterOrder, number, ['im'])).toEqual({ uri: 'im:info@example.com', enumservice: 'im' });
    expect(chooseEnumRule(example, number, ['im', 'sip'])).toEqual({ uri: 'sip:info@example.com', enumservice: 'sip' });
    expect(chooseEnumRule(example, number, ['pres'])).toEqual({ next: [] });
  });

  it('orders records of one Enumservice by Order, then Preference', () => {
    const records = [
      naptr(20, 1, 'U', 'E2U+sip', '!^.*$!sip:third@example.com!'),
      naptr(10, 20, 'U', 'E2U+sip', '!^.*$!sip:second@example.com!'),
      naptr(10, 10, 'U', 'E2U+sip', '!^.*$!sip:first@example.com!'),
    ];
    expect(chooseEnumRule(records, number, ['sip'])).toEqual({ uri: 'sip:first@example.com', enumservice: 'sip' });
  });

  it('skips records that are not terminal "U", malformed, or give no routable URI', () => {
    const records = [
      naptr(10, 1, 'S', 'E2U+sip', '!^.*$!sip:s-flag@example.com!'),
      naptr(10, 2, 'U', 'E2U+sip', '!^(.*$!sip:broken@example.com!'),
      naptr(10, 3, 'U', 'E2U+sip', '!^\\+1(.*)$!sip:\\1@other.example!'),
      naptr(10, 4, 'U', 'E2U+sip', '!^.*$!mailto:info@example.com!'),
      naptr(10, 5, 'U', 'E2U+sip', '!^.*$!not a uri!'),
      naptr(10, 6, 'U', 'E2U+sip', '!^\\+44(.*)$!sip:\\1@example.com!'),
    ];
    expect(chooseEnumRule(records, number, ['sip'])).toEqual({ uri: 'sip:1632960083@example.com', enumservice: 'sip' });
  });

  it('looks at the first 32 records only, however many an answer holds', () => {
    const junk = Array.from({ length: 32 }, (_, i) => naptr(10, i, 'U', 'E2U+sip', '!^(.*$!broken!'));
    expect(chooseEnumRule([...junk, naptr(10, 99, 'U', 'E2U+sip', '!^.*$!sip:late@example.com!')], number, ['sip'])).toEqual({ next: [] });
    expect(chooseEnumRule([...junk.slice(1), naptr(10, 99, 'U', 'E2U+sip', '!^.*$!sip:late@example.com!')], number, ['sip'])).toEqual({ uri: 'sip:late@example.com', enumservice: 'sip' });
  });

  it('gives the keys of non-terminal records when no terminal one serves', () => {
    const records = [
      naptr(10, 20, '', 'E2U+sip', '', 'b.enum.example'),
      naptr(10, 10, '', '', '!^\\+44(.*)$!\\1.a.enum.example!'),
      naptr(10, 30, 'U', 'E2U+h323', '!^.*$!h323:info@example.com!'),
    ];
    expect(chooseEnumRule(records, number, ['sip'])).toEqual({ next: ['1632960083.a.enum.example', 'b.enum.example'] });
  });
});
