import { isIPv6 } from 'node:net';
import { HNVCHAR, HOSTNAME, PASSWORD, TELCHAR, URIC, USER, allIn, escape, isDigit, unescape } from './grammar.js';
import { NO_PARAMS, type Params, formatUriParams, parseUriParams } from './params.js';

/**
 * A SIP or SIPS URI. `user` and `password` are unescaped; `host` is lower-cased and keeps
 * the brackets of an IPv6 reference; URI parameter values are as written.
 * @see RFC 3261 §19.1.1
 */
export interface SipUri {
  scheme: 'sip' | 'sips';
  user: string | null;
  password: string | null;
  host: string;
  port: number | null;
  params: Params;
  /** URI headers (`?name=value&...`) in order, names and values unescaped; a name may repeat. */
  headers: UriHeader[];
}

/** @see RFC 3966 */
export interface TelUri {
  scheme: 'tel';
  number: string;
  params: Params;
}

/** `im:` and `pres:` URIs: a mailbox (`user@host`). @see RFC 3861 §2 */
export interface MailboxUri {
  scheme: 'im' | 'pres';
  user: string | null;
  host: string;
  headers: UriHeader[];
}

/** One `hname "=" hvalue` of a URI's headers part. @see RFC 3261 §19.1.1 */
export type UriHeader = readonly [name: string, value: string];

/** Any other absoluteURI, kept as text. @see RFC 3261 §25.1 absoluteURI */
export interface OtherUri {
  scheme: string;
  value: string;
}

export type Uri = SipUri | TelUri | MailboxUri | OtherUri;

export function isSipUri(uri: Uri): uri is SipUri {
  return uri.scheme === 'sip' || uri.scheme === 'sips';
}

/** Parses a URI; throws a plain Error naming the problem. */
export function parseUri(text: string): Uri {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new Error(`"${text}" is not a URI`);
  const scheme = text.slice(0, colon).toLowerCase();
  switch (scheme) {
    case 'sip':
    case 'sips':
      return parseSipUri(text, scheme, colon + 1);
    case 'tel':
      return parseTelUri(text, colon + 1);
    case 'im':
    case 'pres':
      return parseMailboxUri(text, scheme, colon + 1);
    default:
      return parseOtherUri(text, scheme, colon + 1);
  }
}

function parseSipUri(text: string, scheme: 'sip' | 'sips', start: number): SipUri {
  const n = text.length;
  let user: string | null = null;
  let password: string | null = null;
  let i = start;
  const at = text.indexOf('@', start);
  if (at >= 0) {
    const pw = text.indexOf(':', start);
    const userEnd = pw >= 0 && pw < at ? pw : at;
    if (!allIn(USER, text, start, userEnd, true)) throw new Error(`invalid user part in "${text}"`);
    user = unescape(text.slice(start, userEnd));
    if (userEnd < at) {
      if (at > userEnd + 1 && !allIn(PASSWORD, text, userEnd + 1, at, true)) throw new Error(`invalid password in "${text}"`);
      password = unescape(text.slice(userEnd + 1, at));
    }
    i = at + 1;
  }
  const { host, port, end } = parseHostPort(text, i);
  let q = end < n && text.charCodeAt(end) === 0x3b ? text.indexOf('?', end) : end;
  if (q < 0) q = n;
  const params = parseUriParams(text, end, q);
  if (q < n && text.charCodeAt(q) !== 0x3f) throw new Error(`unexpected "${text.slice(q)}" after the host of "${text}"`);
  const headers = q < n ? parseUriHeaders(text, q + 1) : [];
  return { scheme, user, password, host, port, params, headers };
}

/**
 * Parses `host [ ":" port ]` at `text[i..]`, stopping at `;`, `?` or the end.
 * @see RFC 3261 §25.1 hostport, RFC 5118 §4 for IPv6 references
 */
export function parseHostPort(text: string, i: number): { host: string; port: number | null; end: number } {
  const n = text.length;
  let host: string;
  let j: number;
  if (text.charCodeAt(i) === 0x5b) {
    j = text.indexOf(']', i);
    if (j < 0) throw new Error(`unterminated IPv6 reference in "${text}"`);
    const addr = text.slice(i + 1, j);
    // RFC 5118 §4.10: RFC 3261's ABNF admits a third colon before an embedded IPv4 address; tolerate it.
    const fixed = isIPv6(addr) ? addr : addr.replace(/:::(?=\d+\.\d+\.\d+\.\d+$)/, '::');
    if (!isIPv6(fixed)) throw new Error(`invalid IPv6 reference "[${addr}]"`);
    host = '[' + fixed.toLowerCase() + ']';
    j++;
  } else {
    j = i;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 0x3a || c === 0x3b || c === 0x3f) break;
      j++;
    }
    host = text.slice(i, j);
    const shape = hostnameShape(host);
    if (shape === NOT_A_HOSTNAME) throw new Error(`invalid host "${host}"`);
    if (shape === HOSTNAME_WITH_UPPER_CASE) host = host.toLowerCase();
  }
  let port: number | null = null;
  if (j < n && text.charCodeAt(j) === 0x3a) {
    let k = j + 1;
    let value = 0;
    for (let c = text.charCodeAt(k); k < n && isDigit(c); c = text.charCodeAt(++k)) value = value * 10 + c - 0x30;
    if (k === j + 1 || k - j > 6) throw new Error(`invalid port in "${text}"`);
    port = value;
    if (port > 65535) throw new Error(`port ${port} out of range`);
    j = k;
  }
  return { host, port, end: j };
}

const NOT_A_HOSTNAME = 0;
const LOWER_CASE_HOSTNAME = 1;
const HOSTNAME_WITH_UPPER_CASE = 2;

/**
 * hostname / IPv4address (RFC 3261 §25.1); an IPv6 address must be in brackets.
 * hostname = *( domainlabel "." ) toplabel [ "." ], labels of alphanum and inner "-";
 * a name whose last label starts with a digit must be a dotted quad.
 */
export function isHostname(host: string): boolean {
  return hostnameShape(host) !== NOT_A_HOSTNAME;
}

/** `isHostname`, telling also whether the name has upper-case letters (so that lower-casing it can be skipped). */
function hostnameShape(host: string): number {
  const n = host.charCodeAt(host.length - 1) === 0x2e ? host.length - 1 : host.length;
  if (n <= 0) return NOT_A_HOSTNAME;
  let labelStart = 0;
  let labels = 0;
  let allDigits = true;
  let upper = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? host.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      const len = i - labelStart;
      if (len === 0 || len > 63) return NOT_A_HOSTNAME;
      if (host.charCodeAt(labelStart) === 0x2d || host.charCodeAt(i - 1) === 0x2d) return NOT_A_HOSTNAME;
      labels++;
      labelStart = i + 1;
    } else if (isDigit(c)) {
      continue;
    } else if (c < 128 && HOSTNAME[c] === 1) {
      allDigits = false;
      if (c <= 0x5a && c >= 0x41) upper = true;
    } else return NOT_A_HOSTNAME;
  }
  if (allDigits) return labels === 1 || (labels === 4 && n === host.length && isDottedQuad(host)) ? LOWER_CASE_HOSTNAME : NOT_A_HOSTNAME;
  const top = host.charCodeAt(host.lastIndexOf('.', n - 1) + 1);
  if (isDigit(top)) return NOT_A_HOSTNAME;
  return upper ? HOSTNAME_WITH_UPPER_CASE : LOWER_CASE_HOSTNAME;
}

/** headers = "?" header *( "&" header ), header = hname "=" hvalue (RFC 3261 §25.1). */
function parseUriHeaders(text: string, start: number): UriHeader[] {
  const headers: UriHeader[] = [];
  for (const pair of text.slice(start).split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || !allIn(HNVCHAR, pair, 0, eq, true) || (eq + 1 < pair.length && !allIn(HNVCHAR, pair, eq + 1, pair.length, true))) {
      throw new Error(`invalid URI header "${pair}" in "${text}"`);
    }
    headers.push([unescape(pair.slice(0, eq)), unescape(pair.slice(eq + 1))]);
  }
  return headers;
}

/** IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each 0–255 without leading zeros. */
function isDottedQuad(host: string): boolean {
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= host.length; i++) {
    const c = i < host.length ? host.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || value > 255) return false;
      value = 0;
      digits = 0;
    } else {
      if (digits > 0 && value === 0) return false;
      value = value * 10 + c - 0x30;
      digits++;
    }
  }
  return true;
}

function parseTelUri(text: string, start: number): TelUri {
  if (!allIn(TELCHAR, text, start)) throw new Error(`invalid tel URI "${text}"`);
  const semi = text.indexOf(';', start);
  const number = semi < 0 ? text.slice(start) : text.slice(start, semi);
  if (!/^\+?[0-9A-Fa-f*#.()-]+$/.test(number)) throw new Error(`invalid telephone number in "${text}"`);
  return { scheme: 'tel', number, params: semi < 0 ? NO_PARAMS : parseUriParams(text, semi, text.length) };
}

function parseMailboxUri(text: string, scheme: 'im' | 'pres', start: number): MailboxUri {
  const q = text.indexOf('?', start);
  const end = q < 0 ? text.length : q;
  const at = text.indexOf('@', start);
  const hasUser = at >= 0 && at < end;
  if (hasUser && !allIn(USER, text, start, at, true)) throw new Error(`invalid ${scheme} URI "${text}"`);
  const host = text.slice(hasUser ? at + 1 : start, end).toLowerCase();
  if (!isHostname(host)) throw new Error(`invalid ${scheme} URI "${text}"`);
  return { scheme, user: hasUser ? unescape(text.slice(start, at)) : null, host, headers: q < 0 ? [] : parseUriHeaders(text, q + 1) };
}

function parseOtherUri(text: string, scheme: string, start: number): OtherUri {
  if (!/^[a-z][a-z0-9+\-.]*$/.test(scheme) || !allIn(URIC, text, start)) throw new Error(`invalid URI "${text}"`);
  return { scheme, value: text.slice(start) };
}

/** Serialises a URI, escaping what must be escaped. */
export function formatUri(uri: Uri): string {
  switch (uri.scheme) {
    case 'sip':
    case 'sips': {
      const u = uri as SipUri;
      let out = u.scheme + ':';
      if (u.user !== null) {
        out += escape(u.user, USER);
        if (u.password !== null) out += ':' + escape(u.password, PASSWORD);
        out += '@';
      }
      out += u.host;
      if (u.port !== null) out += ':' + u.port;
      out += formatUriParams(u.params);
      out += formatUriHeaders(u.headers);
      return out;
    }
    case 'tel': {
      const t = uri as TelUri;
      return 'tel:' + t.number + formatUriParams(t.params);
    }
    case 'im':
    case 'pres': {
      const m = uri as MailboxUri;
      let out = m.scheme + ':' + (m.user === null ? '' : escape(m.user, USER) + '@') + m.host;
      out += formatUriHeaders(m.headers);
      return out;
    }
    default:
      return uri.scheme + ':' + (uri as OtherUri).value;
  }
}

function formatUriHeaders(headers: readonly UriHeader[]): string {
  return headers.length ? '?' + headers.map(([k, v]) => escape(k, HNVCHAR) + '=' + escape(v, HNVCHAR)).join('&') : '';
}

/** The address of record form of a SIP URI: `user@host` (or `host`), lower-cased host. */
export function aorOf(uri: Uri): string {
  if (isSipUri(uri) || uri.scheme === 'im' || uri.scheme === 'pres') {
    const u = uri as SipUri | MailboxUri;
    return u.user === null ? u.host : `${u.user}@${u.host}`;
  }
  return formatUri(uri);
}

/** The host without IPv6 brackets, as a socket address. */
export function hostAddress(host: string): string {
  return host.charCodeAt(0) === 0x5b ? host.slice(1, -1) : host;
}
