import { isIPv6 } from 'node:net';
import { PARAMCHAR, TOKEN, allIn, escape, isWsp, readQuoted, skipWs, unescape } from './grammar.js';

/**
 * Parameters by lower-cased name, values as written (quoted values keep their quotes);
 * `null` for a parameter without a value. Insertion order is the order on the wire.
 */
export type Params = Map<string, string | null>;

/**
 * The parameters of a parsed value that has none: one Map shared by all of them, so that the
 * many URIs and name-addrs without parameters allocate none. Parsed values are never changed
 * in place; to change parameters, copy them into a new Map. Changing this one is a bug and throws.
 */
export const NO_PARAMS: Params = readOnlyEmptyParams();

function readOnlyEmptyParams(): Params {
  const params: Params = new Map();
  const refuse = () => {
    throw new Error('NO_PARAMS is shared by every parsed value without parameters: copy it into a new Map to change it');
  };
  for (const method of ['set', 'delete', 'clear']) Object.defineProperty(params, method, { value: refuse });
  return params;
}

/** Removes the quotes (and quoted-pair escapes) of a quoted parameter value. */
export function unquote(value: string | null | undefined): string | null {
  if (value == null) return null;
  if (value.length >= 2 && value.charCodeAt(0) === 0x22) {
    const q = readQuoted(value, 0);
    if (q.end === value.length) return q.value;
  }
  return value;
}

/** Renders parameters as `;name=value` pairs. */
export function formatParams(params: Params): string {
  let out = '';
  for (const [k, v] of params) out += v === null ? ';' + k : ';' + k + '=' + v;
  return out;
}

/**
 * Parses header parameters (`*( SEMI generic-param )`) from `s[i..]`, where `s[i]` is `;`
 * or whitespace before it. LWS is allowed around `;` and `=` (SEMI, EQUAL).
 * `bareIpv6` admits an IPv6 address without brackets as a value, as Via's `received` is
 * written (RFC 3261 §25.1 via-received, RFC 5118 §4.5). Throws a plain Error naming the problem.
 * @see RFC 3261 §25.1 generic-param
 */
export function parseHeaderParams(s: string, i: number, bareIpv6 = false): Params {
  let params: Params | null = null;
  const n = s.length;
  i = skipWs(s, i);
  while (i < n) {
    if (s.charCodeAt(i) !== 0x3b) throw new Error(`unexpected "${s.slice(i, i + 10)}" where a ";" parameter was expected`);
    i = skipWs(s, i + 1);
    let j = i;
    while (j < n && s.charCodeAt(j) < 128 && TOKEN[s.charCodeAt(j)] === 1) j++;
    if (j === i) throw new Error('empty parameter name');
    const name = knownParamAt(s, i, j) ?? s.slice(i, j).toLowerCase();
    i = skipWs(s, j);
    let value: string | null = null;
    if (i < n && s.charCodeAt(i) === 0x3d) {
      i = skipWs(s, i + 1);
      if (s.charCodeAt(i) === 0x22) {
        const q = readQuoted(s, i);
        if (q.end < 0) throw new Error(`unterminated quoted value of parameter "${name}"`);
        value = s.slice(i, q.end);
        i = q.end;
      } else {
        j = genValueEnd(s, i, name, bareIpv6);
        value = s.slice(i, j);
        i = j;
      }
      i = skipWs(s, i);
    }
    (params ??= new Map()).set(name, value);
  }
  return params ?? NO_PARAMS;
}

/** Header parameter names most messages carry, in lower case: matched in place, no string built. */
const KNOWN_PARAMS = [
  'branch', 'rport', 'received', 'tag', 'lr', 'expires', 'transport', 'maddr', 'ttl', 'q', 'reg-id', '+sip.instance',
  'herald', 'ob', 'id', 'charset', 'reason', 'retry-after', 'alias', 'user', 'method',
];
const knownParamsBySlot: (string[] | undefined)[] = [];
for (const name of KNOWN_PARAMS) (knownParamsBySlot[name.length * 128 + name.charCodeAt(0)] ??= []).push(name);

/** The known parameter name written exactly (lower case) as `s[start, end)`, or `undefined`. */
function knownParamAt(s: string, start: number, end: number): string | undefined {
  const c = s.charCodeAt(start);
  const candidates = c < 128 ? knownParamsBySlot[(end - start) * 128 + c] : undefined;
  if (candidates === undefined) return undefined;
  for (const name of candidates) if (s.startsWith(name, start)) return name;
  return undefined;
}

/** End of a gen-value = token / host / quoted-string (the quoted case is handled by the caller). */
function genValueEnd(s: string, i: number, name: string, bareIpv6: boolean): number {
  let j = i;
  if (s.charCodeAt(i) === 0x5b) {
    // host = IPv6reference
    j = s.indexOf(']', i);
    if (j < 0 || !isIPv6(s.slice(i + 1, j))) throw new Error(`invalid IPv6 reference in parameter "${name}"`);
    return j + 1;
  }
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c === 0x3b || c === 0x2c || isWsp(c)) break;
    if (c >= 128 || (TOKEN[c] !== 1 && !(bareIpv6 && c === 0x3a))) throw new Error(`invalid character "${s[j]}" in parameter "${name}"`);
    j++;
  }
  if (j === i) throw new Error(`empty value of parameter "${name}"`);
  return j;
}

/**
 * Parses URI parameters (`*( ";" pname [ "=" pvalue ] )`) in `s[start..end)`; no whitespace
 * allowed. Names and values are unescaped once (RFC 3261 §19.1.4: `%6C%72` is `lr`).
 * @see RFC 3261 §19.1.1, §25.1 uri-parameters
 */
export function parseUriParams(s: string, start: number, end: number): Params {
  if (start >= end) return NO_PARAMS;
  const params: Params = new Map();
  let i = start;
  while (i < end) {
    // s[i] is ";"
    let j = s.indexOf(';', i + 1);
    if (j < 0 || j > end) j = end;
    const eq = s.indexOf('=', i + 1);
    if (eq >= 0 && eq < j) {
      if (!allIn(PARAMCHAR, s, i + 1, eq, true) || !allIn(PARAMCHAR, s, eq + 1, j, true)) {
        throw new Error(`invalid URI parameter "${s.slice(i + 1, j)}"`);
      }
      params.set(unescape(s.slice(i + 1, eq)).toLowerCase(), unescape(s.slice(eq + 1, j)));
    } else {
      if (!allIn(PARAMCHAR, s, i + 1, j, true)) throw new Error(`invalid URI parameter "${s.slice(i + 1, j)}"`);
      params.set(unescape(s.slice(i + 1, j)).toLowerCase(), null);
    }
    i = j;
  }
  return params;
}

/** Renders URI parameters, escaping what `paramchar` does not allow. */
export function formatUriParams(params: Params): string {
  let out = '';
  for (const [k, v] of params) out += ';' + escape(k, PARAMCHAR) + (v === null ? '' : '=' + escape(v, PARAMCHAR));
  return out;
}
