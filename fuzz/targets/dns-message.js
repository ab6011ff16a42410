/**
 * Fuzz target: the DNS message codec (`decodeDnsMessage`, `encodeDnsMessage`) and the RFC 3402
 * substitution ENUM applies to NAPTR records (`applySubstitution`, `nonTerminalKey`,
 * `chooseEnumRule`): a DNS answer is input from the network.
 *
 * The input is one DNS message. Invariants, each a finding when broken:
 * - decoding throws nothing but `DnsError` `SIP_ERR_DNS_MALFORMED` (a hang is Jazzer's timeout);
 * - a decoded message re-encodes, or throws only `DnsError` `SIP_ERR_DNS_MALFORMED`, and that
 *   encoding decodes to the same message: header fields, questions, records and EDNS, names
 *   compared exactly since the codec keeps their case; encoding that again gives the same bytes;
 * - for every NAPTR record, the substitution on a fixed E.164 number and on input-derived
 *   subjects (the record's SERVICE field and owner name) throws nothing and returns a non-empty
 *   string or `null`; `nonTerminalKey` a string or `null`; `chooseEnumRule` over the
 *   message's NAPTR records (as `DnsClient` hands them over) a routable URI or the next keys.
 */
import { DnsError, applySubstitution, chooseEnumRule, decodeDnsMessage, encodeDnsMessage, nonTerminalKey } from '@herald/stack';
import { check, describeError } from '../lib/invariants.js';

const NUMBER = '+12025550100';
const ENUMSERVICES = ['sip', 'im', 'pres'];
const ROUTABLE = /^(sips?|im|pres):/i;

export function fuzz(data) {
  const message = decode(data, 'decodeDnsMessage');
  if (message === null) return;
  roundTrip(message);
  const naptr = [...message.answers, ...message.authorities, ...message.additionals].filter((r) => r.type === 'NAPTR');
  for (const record of naptr) rewrite(record);
  if (naptr.length > 0) chooseRule(naptr);
}

/** The message, or `null` when the codec rejects it as malformed, the one error it may throw. */
function decode(data, what) {
  try {
    return decodeDnsMessage(data);
  } catch (e) {
    expectMalformed(e, `${what} threw something other than DnsError SIP_ERR_DNS_MALFORMED`);
    return null;
  }
}

function expectMalformed(e, what) {
  if (!(e instanceof DnsError) || e.code !== 'SIP_ERR_DNS_MALFORMED') throw describeError(what, e);
}

function roundTrip(message) {
  let bytes;
  try {
    bytes = encodeDnsMessage(message);
  } catch (e) {
    expectMalformed(e, 'encodeDnsMessage of a decoded message threw something other than DnsError SIP_ERR_DNS_MALFORMED');
    return;
  }
  let again;
  try {
    again = decodeDnsMessage(bytes);
  } catch (e) {
    throw describeError('the encoding of a decoded message does not decode', e);
  }
  const [a, b] = [comparable(message), comparable(again)];
  check(a === b, () => `a decoded message changed on the round trip:\n${a}\n---\n${b}`);
  const third = encodeDnsMessage(again);
  check(third.equals(bytes), () => `encoding a decoded message twice gave different bytes:\n${bytes.toString('hex')}\n${third.toString('hex')}`);
}

/** The message as text for comparison; `tsigOffset` is where the bytes lie, not what they say. */
function comparable(m) {
  return JSON.stringify({ ...m, tsigOffset: undefined }, (_key, value) => (value && value.type === 'Buffer' && Array.isArray(value.data) ? `0x${Buffer.from(value.data).toString('hex')}` : value));
}

function rewrite(record) {
  for (const subject of [NUMBER, record.service, record.name]) {
    const out = guarded(() => applySubstitution(record.regexp, subject), 'applySubstitution');
    check(out === null || (typeof out === 'string' && out.length > 0), () => `applySubstitution(${JSON.stringify(record.regexp)}, ${JSON.stringify(subject)}) gave ${JSON.stringify(out)}`);
  }
  const key = guarded(() => nonTerminalKey(asClientRecord(record), NUMBER), 'nonTerminalKey');
  check(key === null || typeof key === 'string', () => `nonTerminalKey gave ${JSON.stringify(key)}`);
}

function chooseRule(records) {
  const outcome = guarded(() => chooseEnumRule(records.map(asClientRecord), NUMBER, ENUMSERVICES), 'chooseEnumRule');
  if ('uri' in outcome) {
    check(ROUTABLE.test(outcome.uri) && ENUMSERVICES.includes(outcome.enumservice), () => `chooseEnumRule chose ${JSON.stringify(outcome)}`);
  } else {
    check(Array.isArray(outcome.next) && outcome.next.every((k) => typeof k === 'string' && k !== ''), () => `chooseEnumRule gave next keys ${JSON.stringify(outcome.next)}`);
  }
}

/** A NAPTR record as `DnsClient.naptr` hands it over (packages/stack/src/dns/dns-client.ts). */
function asClientRecord(r) {
  return { order: r.order, preference: r.preference, flags: r.flags.toUpperCase(), service: r.service, regexp: r.regexp, replacement: r.replacement.toLowerCase() };
}

function guarded(run, what) {
  try {
    return run();
  } catch (e) {
    throw describeError(`${what} threw on a NAPTR record from the network`, e);
  }
}
