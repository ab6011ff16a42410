import { splitList } from './grammar.js';
import { LIST_HEADERS } from './header-names.js';
import { type AuthHeader, parseAuth, parseUint32 } from './headers.js';
import { type NameAddr, parseNameAddr } from './name-addr.js';
import { SipError } from './sip-error.js';
import { type Uri, parseUri } from './uri.js';

/**
 * How a message's typed headers are computed from its lines: module-level functions, each
 * given the message, the header key and a value parser, so that `SipMessage.typed` caches
 * their results without a closure per access.
 */

/** What the functions read of a message. */
export interface TypedSource {
  readonly headers: readonly { key: string; value: string }[];
  header(name: string): string | undefined;
  headerValues(name: string): string[];
}

/** What an absent list header reads as; shared, so it is frozen. */
export const NO_VALUES: never[] = Object.freeze([]) as never[];

export function identity(v: string): string {
  return v;
}

export function parseMaxForwards(v: string): number {
  const n = parseUint32(v, 'Max-Forwards');
  if (n > 255) throw new Error(`Max-Forwards ${n} is larger than 255`);
  return n;
}

export function parseExpires(v: string): number {
  return parseUint32(v, 'Expires');
}

export function singleValue<T>(m: TypedSource, key: string, parse: (value: string) => T): T | undefined {
  const v = m.header(key);
  return v === undefined ? undefined : parse(v);
}

/** `headerValues(key).map(parse)`, without the intermediate array of strings. */
export function listValues<T>(m: TypedSource, key: string, parse: (value: string) => T): T[] {
  const list = LIST_HEADERS.has(key);
  let out: T[] = NO_VALUES;
  for (const h of m.headers) {
    if (h.key !== key) continue;
    if (out === NO_VALUES) out = [];
    if (list && h.value.indexOf(',') >= 0) {
      for (const v of splitList(h.value)) out.push(parse(v));
    } else out.push(parse(h.value));
  }
  return out;
}

export function contactValues(m: TypedSource): NameAddr[] | '*' {
  const values = m.headerValues('contact');
  if (values.length === 1 && values[0] === '*') return '*';
  return values.length === 0 ? NO_VALUES : values.map(parseNameAddr);
}

/** Auth headers are never comma-combined (RFC 3261 §7.3.1): one value per line. */
export function authValues(m: TypedSource, key: string): AuthHeader[] {
  let out: AuthHeader[] = NO_VALUES;
  for (const h of m.headers) {
    if (h.key !== key) continue;
    if (out === NO_VALUES) out = [];
    out.push(parseAuth(h.value));
  }
  return out;
}

export function requestUri(m: TypedSource): Uri {
  try {
    return parseUri((m as TypedSource & { uriText: string }).uriText);
  } catch (e) {
    throw new SipError(400, `Malformed Request-URI: ${(e as Error).message}`, 'SIP_ERR_PARSE_RURI');
  }
}
