/**
 * Header names: compact forms (RFC 3261 §7.3.3 and the extensions that define one),
 * canonical spelling for headers we write, and which headers may be comma-combined.
 */

const CANONICAL = [
  'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Allow-Events',
  'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition',
  'Content-Encoding', 'Content-Language', 'Content-Length', 'Content-Type', 'CSeq', 'Date', 'Error-Info',
  'Event', 'Expires', 'From', 'Identity', 'In-Reply-To', 'Max-Forwards', 'Min-Expires', 'MIME-Version',
  'Organization', 'Path', 'Priority', 'Proxy-Authenticate', 'Proxy-Authorization', 'Proxy-Require', 'RAck',
  'Reason', 'Record-Route', 'Refer-To', 'Referred-By', 'Reject-Contact', 'Reply-To', 'Request-Disposition',
  'Require', 'Retry-After', 'Route', 'RSeq', 'Server', 'Service-Route', 'Session-Expires', 'SIP-ETag',
  'SIP-If-Match', 'Subject', 'Subscription-State', 'Supported', 'Timestamp', 'To', 'Unsupported',
  'User-Agent', 'Via', 'Warning', 'WWW-Authenticate', 'Min-SE', 'P-Asserted-Identity', 'Flow-Timer',
];

const COMPACT: Record<string, string> = {
  a: 'accept-contact', b: 'referred-by', c: 'content-type', d: 'request-disposition', e: 'content-encoding',
  f: 'from', i: 'call-id', j: 'reject-contact', k: 'supported', l: 'content-length', m: 'contact',
  n: 'identity-info', o: 'event', r: 'refer-to', s: 'subject', t: 'to', u: 'allow-events', v: 'via',
  x: 'session-expires', y: 'identity',
};

const canonicalByKey = new Map<string, string>();
for (const name of CANONICAL) canonicalByKey.set(name.toLowerCase(), name);

/** Exact spelling on the wire → key; filled lazily so common spellings cost one map lookup. */
const keyCache = new Map<string, string>();
for (const name of CANONICAL) keyCache.set(name, name.toLowerCase());
for (const [c, key] of Object.entries(COMPACT)) {
  keyCache.set(c, key);
  keyCache.set(c.toUpperCase(), key);
}

/** Header name as written → lower-case full name (`v` → `via`, `Call-Id` → `call-id`). */
export function headerKey(name: string): string {
  let key = keyCache.get(name);
  if (key === undefined) {
    key = name.toLowerCase();
    if (key.length === 1) key = COMPACT[key] ?? key;
    if (keyCache.size < 1024) keyCache.set(name, key);
  }
  return key;
}

/** A header name spelled as the parser expects it most often, with its key. */
export interface KnownName {
  name: string;
  key: string;
}

/** Known spellings by `length * 128 + first character`: the parser's table, no string built. */
const knownBySlot: (KnownName[] | undefined)[] = [];
let maxKnownLength = 0;
for (const name of new Set([...keyCache.keys(), ...keyCache.values()])) {
  const slot = name.length * 128 + name.charCodeAt(0);
  (knownBySlot[slot] ??= []).push({ name, key: headerKey(name) });
  maxKnownLength = Math.max(maxKnownLength, name.length);
}

/**
 * The known header whose name is written exactly as `text[start, end)` (canonical, lower case
 * or compact spelling), or `undefined`: the parser then slices the name and keys it with
 * `headerKey`. Finding a name this way neither allocates a string nor hashes one.
 */
export function knownNameAt(text: string, start: number, end: number): KnownName | undefined {
  const length = end - start;
  const c = text.charCodeAt(start);
  if (length > maxKnownLength || c > 0x7f) return undefined;
  const candidates = knownBySlot[length * 128 + c];
  if (candidates === undefined) return undefined;
  for (const k of candidates) if (text.startsWith(k.name, start)) return k;
  return undefined;
}

/** The canonical spelling to write for a header key (`call-id` → `Call-ID`). */
export function canonicalName(keyOrName: string): string {
  const key = headerKey(keyOrName);
  return canonicalByKey.get(key) ?? key.replace(/(^|-)([a-z])/g, (_, d: string, c: string) => d + c.toUpperCase());
}

/**
 * Headers whose values are comma-separated lists (RFC 3261 §7.3.1). Authorization,
 * WWW-Authenticate and their Proxy- forms are excluded by that section; Date and others
 * contain commas in a single value.
 */
export const LIST_HEADERS = new Set([
  'via', 'contact', 'route', 'record-route', 'path', 'service-route', 'allow', 'supported', 'require',
  'proxy-require', 'unsupported', 'accept', 'accept-encoding', 'accept-language', 'allow-events',
  'content-encoding', 'content-language', 'in-reply-to', 'call-info', 'alert-info', 'error-info', 'warning',
  'p-asserted-identity', 'accept-contact', 'reject-contact', 'request-disposition',
]);
