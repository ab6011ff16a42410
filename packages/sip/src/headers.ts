import { TOKEN, isDigit, readQuoted, skipWs } from './grammar.js';
import { knownMethodAt } from './methods.js';
import type { NameAddr } from './name-addr.js';
import { type Params, formatParams, parseHeaderParams, unquote } from './params.js';
import { parseHostPort } from './uri.js';

/** A Via header value. @see RFC 3261 §20.42 */
export interface Via {
  /** `SIP/2.0` */
  protocol: string;
  /** Upper-cased: UDP, TCP, TLS, SCTP, WS, WSS, or an extension. */
  transport: string;
  host: string;
  port: number | null;
  params: Params;
}

/** A Contact value: `*` or a name-addr. @see RFC 3261 §20.10 */
export type Contact = NameAddr;

export interface CSeq {
  seq: number;
  method: string;
}

/** Credentials or a challenge: scheme plus auth-params (values unquoted). @see RFC 3261 §25.1 */
export interface AuthHeader {
  scheme: string;
  params: Map<string, string>;
}

/** Event / Allow-Events style value: a token with parameters. @see RFC 6665 §8.2.1 */
export interface EventHeader {
  type: string;
  params: Params;
}

/** @see RFC 6665 §8.2.3 */
export interface SubscriptionState {
  state: string;
  expires: number | null;
  reason: string | null;
  retryAfter: number | null;
  params: Params;
}

export interface ContentType {
  type: string;
  subtype: string;
  params: Params;
}

const MAX_UINT32 = 4294967295;

/** Parses 1*DIGIT up to 2^32-1; throws on anything else. */
export function parseUint32(text: string, what: string): number {
  const s = text.trim();
  if (s.length === 0 || s.length > 10) throw new Error(`invalid ${what} "${text}"`);
  for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) throw new Error(`invalid ${what} "${text}"`);
  const n = Number(s);
  if (n > MAX_UINT32) throw new Error(`${what} ${s} is larger than 2^32-1`);
  return n;
}

/**
 * `sent-protocol LWS sent-by *( SEMI via-params )`, LWS allowed around the slashes.
 * @see RFC 3261 §25.1 via-parm
 */
export function parseVia(value: string): Via {
  const s = value;
  let i = skipWs(s, 0);
  let protocol: string;
  if (s.startsWith('SIP/2.0/', i)) {
    protocol = 'SIP/2.0';
    i = skipWs(s, i + 8);
  } else {
    const nameEnd = sentProtocolTokenEnd(s, i);
    const name = s.slice(i, nameEnd);
    i = skipWs(s, nameEnd);
    if (s.charCodeAt(i) !== 0x2f) throw new Error(`malformed sent-protocol in "${value}"`);
    i = skipWs(s, i + 1);
    const versionEnd = sentProtocolTokenEnd(s, i);
    protocol = `${name.toUpperCase()}/${s.slice(i, versionEnd)}`;
    i = skipWs(s, versionEnd);
    if (s.charCodeAt(i) !== 0x2f) throw new Error(`malformed sent-protocol in "${value}"`);
    i = skipWs(s, i + 1);
  }
  const transportStart = i;
  const transportEnd = sentProtocolTokenEnd(s, i);
  const transport = knownTransportAt(s, transportStart, transportEnd) ?? s.slice(transportStart, transportEnd).toUpperCase();
  i = skipWs(s, transportEnd);
  if (i === s.length || s.charCodeAt(i - 1) > 0x20) {
    throw new Error(`missing sent-by in "${value}"`);
  }
  const hp = parseHostPortLws(s, i);
  const params = parseHeaderParams(s, hp.end, true);
  return { protocol, transport, host: hp.host, port: hp.port, params };
}

/** End of the token of sent-protocol at `s[i..]`; throws when there is none. */
function sentProtocolTokenEnd(s: string, i: number): number {
  let j = i;
  while (j < s.length && s.charCodeAt(j) < 128 && TOKEN[s.charCodeAt(j)] === 1) j++;
  if (j === i) throw new Error(`malformed sent-protocol in "${s}"`);
  return j;
}

/** The transports of RFC 3261 §20.42 and RFC 7118, when written in upper case: no string built. */
const KNOWN_TRANSPORTS = ['UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS'];

function knownTransportAt(s: string, start: number, end: number): string | undefined {
  for (const t of KNOWN_TRANSPORTS) if (t.length === end - start && s.startsWith(t, start)) return t;
  return undefined;
}

/** sent-by = host [ COLON port ], COLON = SWS ":" SWS. */
function parseHostPortLws(s: string, i: number): { host: string; port: number | null; end: number } {
  let j = i;
  if (s.charCodeAt(j) === 0x5b) {
    j = s.indexOf(']', j) + 1;
    if (j === 0) throw new Error(`unterminated IPv6 reference in "${s}"`);
  } else {
    while (j < s.length && s.charCodeAt(j) !== 0x3a && s.charCodeAt(j) !== 0x3b && s.charCodeAt(j) > 0x20) j++;
  }
  const hostText = s.slice(i, j);
  const { host, end } = parseHostPort(hostText, 0);
  if (end !== hostText.length) throw new Error(`malformed sent-by host "${hostText}"`);
  let port: number | null = null;
  const k = skipWs(s, j);
  if (s.charCodeAt(k) === 0x3a) {
    const p = skipWs(s, k + 1);
    let e = p;
    let digits = 0;
    for (let c = s.charCodeAt(e); isDigit(c); c = s.charCodeAt(++e)) digits = digits * 10 + c - 0x30;
    port = e === p || e - p > 5 ? NaN : digits;
    if (!(port <= 65535)) throw new Error(`malformed port in "${s}"`);
    j = e;
  }
  return { host, port, end: j };
}

export function formatVia(via: Via): string {
  const host = via.port === null ? via.host : `${via.host}:${via.port}`;
  return `${via.protocol}/${via.transport} ${host}${formatParams(via.params)}`;
}

/** @see RFC 3261 §20.16 */
export function parseCSeq(value: string): CSeq {
  const s = value.trim();
  let i = 0;
  while (isDigit(s.charCodeAt(i))) i++;
  const j = skipWs(s, i);
  if (i === 0 || j === i || j >= s.length) throw new Error(`malformed CSeq "${value}"`);
  for (let k = j; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 128 || TOKEN[c] !== 1) throw new Error(`malformed CSeq method in "${value}"`);
  }
  return { seq: parseUint32(s.slice(0, i), 'CSeq number'), method: knownMethodAt(s, j, s.length) ?? s.slice(j) };
}

/**
 * Parses credentials or a challenge: `scheme LWS auth-param *(COMMA auth-param)`.
 * @see RFC 3261 §25.1 credentials, challenge; RFC 7616 §3.3
 */
export function parseAuth(value: string): AuthHeader {
  const s = value;
  let i = skipWs(s, 0);
  let j = i;
  while (j < s.length && s.charCodeAt(j) < 128 && TOKEN[s.charCodeAt(j)] === 1) j++;
  if (j === i) throw new Error('missing authentication scheme');
  const scheme = s.slice(i, j);
  const params = new Map<string, string>();
  i = skipWs(s, j);
  while (i < s.length) {
    j = i;
    while (j < s.length && s.charCodeAt(j) < 128 && TOKEN[s.charCodeAt(j)] === 1) j++;
    if (j === i) throw new Error(`malformed auth-param at "${s.slice(i, i + 12)}"`);
    const name = s.slice(i, j).toLowerCase();
    i = skipWs(s, j);
    if (s.charCodeAt(i) !== 0x3d) throw new Error(`auth-param "${name}" has no value`);
    i = skipWs(s, i + 1);
    let v: string;
    if (s.charCodeAt(i) === 0x22) {
      const q = readQuoted(s, i);
      if (q.end < 0) throw new Error(`unterminated quoted value of "${name}"`);
      v = q.value;
      i = q.end;
    } else {
      j = i;
      while (j < s.length && s.charCodeAt(j) !== 0x2c && s.charCodeAt(j) > 0x20) j++;
      if (j === i) throw new Error(`auth-param "${name}" has no value`);
      v = s.slice(i, j);
      i = j;
    }
    params.set(name, v);
    i = skipWs(s, i);
    if (i < s.length) {
      if (s.charCodeAt(i) !== 0x2c) throw new Error(`expected "," after auth-param "${name}"`);
      i = skipWs(s, i + 1);
    }
  }
  return { scheme, params };
}

/** A token followed by header parameters (Event, Subscription-State, Content-Disposition...). */
export function parseTokenWithParams(value: string): { token: string; params: Params } {
  const s = value;
  const i = skipWs(s, 0);
  let j = i;
  while (j < s.length && s.charCodeAt(j) < 128 && TOKEN[s.charCodeAt(j)] === 1) j++;
  if (j === i) throw new Error(`expected a token in "${value}"`);
  return { token: s.slice(i, j), params: parseHeaderParams(s, j) };
}

export function parseEvent(value: string): EventHeader {
  const { token, params } = parseTokenWithParams(value);
  return { type: token, params };
}

export function parseSubscriptionState(value: string): SubscriptionState {
  const { token, params } = parseTokenWithParams(value);
  const num = (name: string) => {
    const v = params.get(name);
    return v == null ? null : parseUint32(v, `${name} parameter`);
  };
  return {
    state: token.toLowerCase(),
    expires: num('expires'),
    reason: unquote(params.get('reason')),
    retryAfter: num('retry-after'),
    params,
  };
}

/** @see RFC 3261 §20.15 media-type */
export function parseContentType(value: string): ContentType {
  const s = value;
  const slash = s.indexOf('/');
  if (slash < 0) throw new Error(`malformed media type "${value}"`);
  const type = s.slice(0, slash).trim().toLowerCase();
  let j = skipWs(s, slash + 1);
  const start = j;
  while (j < s.length && s.charCodeAt(j) < 128 && TOKEN[s.charCodeAt(j)] === 1) j++;
  const subtype = s.slice(start, j).toLowerCase();
  if (!type || !subtype || !/^[a-z0-9\-.!%*_+`'~]+$/.test(type)) throw new Error(`malformed media type "${value}"`);
  return { type, subtype, params: parseHeaderParams(s, j) };
}

const RFC1123_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/** Date = rfc1123-date, always in GMT. @see RFC 3261 §20.17 */
export function parseDate(value: string): Date {
  const m = RFC1123_DATE.exec(value.trim());
  if (!m) throw new Error(`Date "${value}" is not an RFC 1123 date in GMT`);
  const d = new Date(value.trim());
  if (Number.isNaN(d.getTime())) throw new Error(`invalid Date "${value}"`);
  return d;
}
