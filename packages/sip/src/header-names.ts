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
