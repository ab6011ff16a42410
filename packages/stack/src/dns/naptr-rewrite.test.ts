import type { NaptrRecord } from './dns-lookup.js';
import { MAX_SUBJECT_LENGTH, applySubstitution, nonTerminalKey, parseSubstitution, sortNaptr } from './naptr-rewrite.js';

function naptr(order: number, preference: number, flags: string, service: string, regexp: string, replacement = ''): NaptrRecord {
  return { order, preference, flags, service, regexp, replacement };
}

describe('RFC 3402 §3.2 substitution expressions', () => {
  it('rewrites the whole string with the ENUM catch-all (RFC 6116 §2.4 example)', () => {
    expect(applySubstitution('!^.*$!sip:info@example.com!', '+441632960083')).toBe('sip:info@example.com');
  });

  it('fills back-references from the groups of the match', () => {
    expect(applySubstitution('!^\\+44(.*)$!sip:\\1@example.com!', '+441632960083')).toBe('sip:1632960083@example.com');
    expect(applySubstitution('!^\\+(4)(4)(.*)$!sip:\\3-\\2\\1@example.com!', '+441632960083')).toBe('sip:1632960083-44@example.com');
  });

  it('gives the replacement alone, as RFC 3403 §6.2 does for the URN example (non-terminal rule of cid.urn.arpa)', () => {
    expect(applySubstitution('!^urn:cid:.+@([^\\.]+\\.)(.*)$!\\2!i', 'urn:cid:199606121851.1@bar.example.com')).toBe('example.com');
  });

  it('honours the "i" flag', () => {
    expect(applySubstitution('!^URN:CID:(.*)$!\\1!i', 'urn:cid:x@y')).toBe('x@y');
    expect(applySubstitution('!^URN:CID:(.*)$!\\1!', 'urn:cid:x@y')).toBeNull();
  });

  it('takes any delimiter that is neither a digit 1-9 nor "i", and escaped delimiters in both parts', () => {
    expect(applySubstitution('/^.*$/sip:bob@peer.test/', '+12025550100')).toBe('sip:bob@peer.test');
    expect(applySubstitution('#^\\+1(.*)$#sip:\\1@peer.test#', '+12025550100')).toBe('sip:2025550100@peer.test');
    expect(applySubstitution('!^.*$!sip:bob\\!@peer.test!', '+1')).toBe('sip:bob!@peer.test');
    expect(applySubstitution('/^\\+1\\/(.*)$/x\\/\\1/', '+1/23')).toBe('x/23');
    expect(applySubstitution('x^.*$xsip:bob@peer.testx', '+1')).toBe('sip:bob@peer.test');
  });

  it('reads an unescaped + right after ^ as the number\'s plus sign, as zones write it (RFC 5483)', () => {
    expect(applySubstitution('!^+441632(.*)$!sip:\\1@example.com!', '+441632960083')).toBe('sip:960083@example.com');
    expect(applySubstitution('!^+441632(.*)$!sip:\\1@example.com!', '441632960083')).toBeNull();
  });

  it('understands POSIX bracket classes', () => {
    expect(applySubstitution('!^\\+([[:digit:]]+)$!sip:\\1@peer.test!', '+12025550100')).toBe('sip:12025550100@peer.test');
    expect(applySubstitution('!^\\+([[:digit:]]+)$!sip:\\1@peer.test!', '+1202x')).toBeNull();
    expect(applySubstitution('!^[]a]+$!ok!', ']a]')).toBe('ok');
  });

  it('gives nothing when the expression does not match', () => {
    expect(applySubstitution('!^\\+44(.*)$!sip:\\1@example.com!', '+12025550100')).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['one part', '!^.*$!'],
    ['a digit as delimiter', '1^.*$1sip:a@b1'],
    ['"i" as delimiter', 'i^.*$isip:a@bi'],
    ['a backslash as delimiter', '\\^.*$\\sip:a@b\\'],
    ['an unknown flag', '!^.*$!sip:a@b!g'],
    ['trailing garbage', '!^.*$!sip:a@b!ii'],
    ['an unbalanced group', '!^(.*$!sip:a@b!'],
    ['an unclosed bracket', '!^[0-9$!sip:a@b!'],
    ['an unknown POSIX class', '!^[[:nope:]]$!sip:a@b!'],
    ['a collating element', '!^[[.a.]]$!sip:a@b!'],
    ['a back-reference with no group', '!^.*$!sip:\\1@b!'],
    ['back-reference \\0', '!^(.*)$!sip:\\0@b!'],
    ['a back-reference inside the ERE', '!^(a)\\1$!x!'],
    ['an escape ERE leaves undefined', '!^\\d+$!x!'],
    ['a Perl extension', '!^(?=a).*$!x!'],
    ['nothing to repeat', '!*a!x!'],
    ['a bad interval', '!^a{x}$!x!'],
  ])('ignores a malformed expression: %s', (_name, expression) => {
    expect(parseSubstitution(expression)).toBeNull();
    expect(applySubstitution(expression, '+12025550100')).toBeNull();
  });

  it.each([
    ['a repeated group that repeats', '!^(a+)+$!x!'],
    ['a repeated group that alternates', '!^(a|aa)*$!x!'],
    ['a repeated group holding a repeated group', '!^((a*)b)*$!x!'],
    ['too many repetitions', '!^a*a*a*a*b$!x!'],
  ])('refuses an expression whose backtracking could run away: %s', (_name, expression) => {
    expect(parseSubstitution(expression)).toBeNull();
  });

  it('refuses alternations whose paths multiply past a bound, whatever the subject', () => {
    // Each empty group doubles the paths tried before the final x fails: 2^30 steps held the event loop for minutes.
    const doubling = `!^${'(|)'.repeat(30)}x!y!`;
    expect(parseSubstitution(doubling)).toBeNull();
    expect(applySubstitution(doubling, '+12025550100')).toBeNull();
    const branching = `!^${'(.|.|.|.)'.repeat(10)}x!y!`;
    expect(parseSubstitution(branching)).toBeNull();
    expect(applySubstitution(branching, '+12025550100')).toBeNull();
    // A few alternatives, as zones write them, still rewrite.
    expect(applySubstitution('!^\\+1(202|301)(555)(.*)$!sip:\\1\\3@example.com!', '+12025550100')).toBe('sip:2020100@example.com');
    expect(applySubstitution('!^(\\+1|\\+44)(.*)$!sip:\\2@example.com!', '+441632960083')).toBe('sip:1632960083@example.com');
  });

  it('refuses an expression longer than a NAPTR REGEXP field and a subject longer than a domain name', () => {
    expect(parseSubstitution(`!^${'a'.repeat(260)}$!x!`)).toBeNull();
    expect(applySubstitution('!^.*$!x!', 'a'.repeat(MAX_SUBJECT_LENGTH))).toBe('x');
    expect(applySubstitution('!^.*$!x!', 'a'.repeat(MAX_SUBJECT_LENGTH + 1))).toBeNull();
  });

  it('gives nothing when the result is empty', () => {
    expect(applySubstitution('!^(.*)$!\\1!', '')).toBeNull();
  });
});

describe('RFC 3403 §4.1 NAPTR order and non-terminal keys', () => {
  it('sorts by Order, then Preference', () => {
    const records = [naptr(20, 10, 'U', 'E2U+sip', 'a'), naptr(10, 50, 'U', 'E2U+sip', 'b'), naptr(10, 20, 'U', 'E2U+sip', 'c')];
    expect(sortNaptr(records).map((r) => r.regexp)).toEqual(['c', 'b', 'a']);
  });

  it('takes the REPLACEMENT of a non-terminal record as the next key, else what its REGEXP gives', () => {
    expect(nonTerminalKey(naptr(10, 10, '', '', '', 'private.example'), '+1')).toBe('private.example');
    expect(nonTerminalKey(naptr(100, 10, '', '', '!^urn:cid:.+@([^\\.]+\\.)(.*)$!\\2.!i'), 'urn:cid:1@bar.Example.com')).toBe('example.com');
    expect(nonTerminalKey(naptr(10, 10, '', '', ''), '+1')).toBeNull();
    expect(nonTerminalKey(naptr(10, 10, '', '', '!^(.*$!x!'), '+1')).toBeNull();
  });
});
