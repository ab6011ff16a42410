import { splitList } from './grammar.js';
import { LIST_HEADERS, canonicalName, headerKey } from './header-names.js';
import {
  type AuthHeader,
  type CSeq,
  type ContentType,
  type EventHeader,
  type SubscriptionState,
  type Via,
  parseCSeq,
  parseContentType,
  parseDate,
  parseEvent,
  parseSubscriptionState,
  parseVia,
} from './headers.js';
import { type NameAddr, parseNameAddr } from './name-addr.js';
import { SipError } from './sip-error.js';
import { type Uri, isSipUri } from './uri.js';
import { authValues, contactValues, identity, listValues, parseExpires, parseMaxForwards, requestUri, singleValue } from './typed-values.js';

/**
 * One header line. `value` has folding replaced by a space and is trimmed; `raw` is the
 * line exactly as received (absent once the header is created or changed here), so the
 * serializer can re-emit what it did not touch byte for byte.
 */
export interface Header {
  name: string;
  key: string;
  value: string;
  raw?: string;
}

/**
 * Parsed typed headers by header key. A class with every field declared keeps one
 * hidden class for all messages; `undefined` means "not parsed yet".
 */
class TypedCache {
  [key: string]: unknown;
  via: unknown = undefined;
  from: unknown = undefined;
  to: unknown = undefined;
  'call-id': unknown = undefined;
  cseq: unknown = undefined;
  'max-forwards': unknown = undefined;
  contact: unknown = undefined;
  route: unknown = undefined;
  'record-route': unknown = undefined;
  expires: unknown = undefined;
  authorization: unknown = undefined;
  '@ruri': unknown = undefined;
}

/** Marks a header that was looked up and is absent. */
const ABSENT = Symbol('absent');

/**
 * A SIP message: start line, headers split once, body as bytes. Typed headers are parsed
 * on first access and cached; a malformed one throws a 400 `SipError` naming it.
 * @see RFC 3261 §7
 */
export abstract class SipMessage {
  /** The SIP-Version of the start line, e.g. `SIP/2.0`. */
  version = 'SIP/2.0';
  headers: Header[];
  body: Buffer;
  private cache: TypedCache | null = null;

  constructor(headers: Header[], body: Buffer) {
    this.headers = headers;
    this.body = body;
  }

  abstract isRequest(): this is SipRequest;
  abstract startLine(): string;

  /** First value of a header (name in any case or compact form), `undefined` when absent. */
  header(name: string): string | undefined {
    const key = headerKey(name);
    for (const h of this.headers) if (h.key === key) return h.value;
    return undefined;
  }

  hasHeader(name: string): boolean {
    return this.header(name) !== undefined;
  }

  /** Every value of a header; list headers (RFC 3261 §7.3.1) are split on their commas. */
  headerValues(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    const list = LIST_HEADERS.has(key);
    for (const h of this.headers) {
      if (h.key !== key) continue;
      if (list && h.value.indexOf(',') >= 0) {
        for (const v of splitList(h.value)) out.push(v);
      } else out.push(h.value);
    }
    return out;
  }

  /** Replaces every occurrence of a header by one value, at the position of the first. */
  setHeader(name: string, value: string): this {
    const key = headerKey(name);
    const at = this.headers.findIndex((h) => h.key === key);
    this.removeHeader(key);
    const h: Header = { name: canonicalName(key), key, value };
    if (at < 0) this.headers.push(h);
    else this.headers.splice(at, 0, h);
    return this;
  }

  /** Appends a header line. */
  addHeader(name: string, value: string): this {
    const key = headerKey(name);
    this.headers.push({ name: canonicalName(key), key, value });
    this.invalidate(key);
    return this;
  }

  /**
   * Inserts a header line above every other line of the same header (Via, Record-Route).
   * `parsed` is the typed form of `value`, one value, when the caller has it: a cached list
   * of that header then stays cached with it in front, so the lines below are not parsed again.
   */
  prependHeader(name: string, value: string, parsed?: unknown): this {
    const key = headerKey(name);
    const at = this.headers.findIndex((h) => h.key === key);
    const h: Header = { name: canonicalName(key), key, value };
    if (at < 0) this.headers.push(h);
    else this.headers.splice(at, 0, h);
    const cachedList = this.cache?.[key];
    this.invalidate(key);
    if (parsed !== undefined && LIST_HEADERS.has(key) && Array.isArray(cachedList)) this.cache![key] = [parsed, ...cachedList];
    return this;
  }

  removeHeader(name: string): this {
    const key = headerKey(name);
    this.headers = this.headers.filter((h) => h.key !== key);
    this.invalidate(key);
    return this;
  }

  /** Removes the lines of a header whose value passes `test`, keeping the others where they are. */
  removeLines(name: string, test: (value: string) => boolean): this {
    const key = headerKey(name);
    this.headers = this.headers.filter((h) => h.key !== key || !test(h.value));
    this.invalidate(key);
    return this;
  }

  /** Removes the first value of a list header (the top Via, the top Route), keeping the rest. */
  removeFirstValue(name: string): this {
    const key = headerKey(name);
    const at = this.headers.findIndex((h) => h.key === key);
    if (at < 0) return this;
    const line = this.headers[at].value;
    const values = line.indexOf(',') >= 0 ? splitList(line) : null;
    if (values === null || values.length <= 1) this.headers.splice(at, 1);
    else this.headers[at] = { name: this.headers[at].name, key, value: values.slice(1).join(', ') };
    this.invalidate(key);
    return this;
  }

  /**
   * Replaces the first value of a header (the top Via, the top Route), keeping the values
   * after it on the same line and every other line as it was. `parsed` is the typed form
   * of `value`, when the caller has it, so that it need not be parsed again.
   */
  replaceFirstValue(name: string, value: string, parsed?: unknown): this {
    const key = headerKey(name);
    const at = this.headers.findIndex((h) => h.key === key);
    if (at < 0) return this.addHeader(name, value);
    const h = this.headers[at];
    const values = LIST_HEADERS.has(key) && h.value.indexOf(',') >= 0 ? splitList(h.value) : [h.value];
    values[0] = value;
    this.headers[at] = { name: h.name, key, value: values.join(', ') };
    // A caller that has `value` parsed already keeps the rest of the cached list.
    const cachedList = this.cache?.[key];
    this.invalidate(key);
    if (parsed !== undefined && Array.isArray(cachedList)) this.cache![key] = [parsed, ...cachedList.slice(1)];
    return this;
  }

  /** Replaces the body; Content-Type is set when given, Content-Length when serialised. */
  setBody(body: Buffer | string, contentType?: string): this {
    this.body = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (contentType !== undefined) this.setHeader('content-type', contentType);
    return this;
  }

  /**
   * Takes over the typed headers `from` has parsed, for a copy whose lines are still those of
   * `from`: each later change invalidates its own key in the copy only. Typed values are never
   * changed in place (a change replaces them), so the two messages may share them.
   */
  protected shareTypedFrom(from: SipMessage): void {
    if (from.cache !== null) this.cache = Object.assign(new TypedCache(), from.cache);
  }

  protected invalidate(key: string): void {
    if (this.cache !== null) this.cache[key] = undefined;
  }

  /**
   * Computes a typed header on first access and caches it; a failure becomes a 400 naming
   * the header. `compute` is a module-level function and `arg` its parser, so that a
   * cached read allocates nothing.
   */
  protected typed<T, A>(key: string, compute: (m: SipMessage, key: string, arg: A) => T, arg: A): T {
    const cache = (this.cache ??= new TypedCache());
    const cached = cache[key];
    if (cached !== undefined) return (cached === ABSENT ? undefined : cached) as T;
    let v: T;
    try {
      v = compute(this, key, arg);
    } catch (e) {
      if (e instanceof SipError) throw e;
      throw new SipError(400, `Malformed ${canonicalName(key)} header: ${(e as Error).message}`, 'SIP_ERR_PARSE_HEADER');
    }
    cache[key] = v === undefined ? ABSENT : v;
    return v;
  }

  private single<T>(key: string, parse: (value: string) => T): T | undefined {
    return this.typed<T | undefined, (value: string) => T>(key, singleValue, parse);
  }

  private list<T>(key: string, parse: (value: string) => T): T[] {
    return this.typed<T[], (value: string) => T>(key, listValues, parse);
  }

  /** Via values, top first. @see RFC 3261 §20.42 */
  get via(): Via[] {
    return this.list('via', parseVia);
  }

  get topVia(): Via {
    const v = this.via[0];
    if (!v) throw new SipError(400, 'Missing Via header', 'SIP_ERR_PARSE_MISSING');
    return v;
  }

  /**
   * The top Via, or `null` when there is none or the Via headers do not parse: for code that
   * can only give up on such a message (drop a stray response, log without a branch).
   */
  get topViaOrNull(): Via | null {
    try {
      return this.via[0] ?? null;
    } catch {
      return null;
    }
  }

  get from(): NameAddr {
    return this.required('from', parseNameAddr);
  }

  get to(): NameAddr {
    return this.required('to', parseNameAddr);
  }

  get callId(): string {
    return this.required('call-id', identity);
  }

  get cseq(): CSeq {
    return this.required('cseq', parseCSeq);
  }

  /** `undefined` when absent. @see RFC 3261 §20.22 */
  get maxForwards(): number | undefined {
    return this.single('max-forwards', parseMaxForwards);
  }

  /** Contact values; `'*'` for the wildcard of a REGISTER. @see RFC 3261 §20.10 */
  get contact(): NameAddr[] | '*' {
    return this.typed('contact', contactValues, null);
  }

  get route(): NameAddr[] {
    return this.list('route', parseNameAddr);
  }

  get recordRoute(): NameAddr[] {
    return this.list('record-route', parseNameAddr);
  }

  /** @see RFC 3327 */
  get path(): NameAddr[] {
    return this.list('path', parseNameAddr);
  }

  get expires(): number | undefined {
    return this.single('expires', parseExpires);
  }

  get event(): EventHeader | undefined {
    return this.single('event', parseEvent);
  }

  get subscriptionState(): SubscriptionState | undefined {
    return this.single('subscription-state', parseSubscriptionState);
  }

  get contentType(): ContentType | undefined {
    return this.single('content-type', parseContentType);
  }

  get date(): Date | undefined {
    return this.single('date', parseDate);
  }

  get authorization(): AuthHeader[] {
    return this.authList('authorization');
  }

  get proxyAuthorization(): AuthHeader[] {
    return this.authList('proxy-authorization');
  }

  get wwwAuthenticate(): AuthHeader[] {
    return this.authList('www-authenticate');
  }

  get proxyAuthenticate(): AuthHeader[] {
    return this.authList('proxy-authenticate');
  }

  /** Option tags of Require / Proxy-Require / Supported / Unsupported. */
  optionTags(name: 'require' | 'proxy-require' | 'supported' | 'unsupported'): string[] {
    return this.headerValues(name).filter((v) => v.length > 0);
  }

  private authList(key: string): AuthHeader[] {
    return this.typed(key, authValues, null);
  }

  private required<T>(key: string, parse: (value: string) => T): T {
    const v = this.single(key, parse);
    if (v === undefined) throw new SipError(400, `Missing ${canonicalName(key)} header`, 'SIP_ERR_PARSE_MISSING');
    return v;
  }

  /**
   * Parses every header Herald understands, so that an element that consumes the message
   * rejects what is malformed (RFC 4475 §3.1.2) before acting on it.
   */
  validate(): this {
    void this.via;
    void this.from;
    void this.to;
    void this.callId;
    void this.cseq;
    // One pass over the lines finds which optional headers are present: an absent one reads
    // as `undefined` or no values and cannot be malformed, so only present ones are parsed,
    // in the same order as before (the first malformed one names the 400).
    let present = 0;
    for (const h of this.headers) present |= VALIDATED.get(h.key) ?? 0;
    if (present & 1) void this.maxForwards;
    if (present & 2) void this.contact;
    if (present & 4) void this.route;
    if (present & 8) void this.recordRoute;
    if (present & 16) void this.path;
    if (present & 32) void this.expires;
    if (present & 64) void this.event;
    if (present & 128) void this.subscriptionState;
    if (present & 256) void this.contentType;
    if (present & 512) void this.date;
    if (present & 1024) void this.authorization;
    if (present & 2048) void this.proxyAuthorization;
    if (present & 4096) void this.wwwAuthenticate;
    if (present & 8192) void this.proxyAuthenticate;
    return this;
  }

  /** Serialises the message; Content-Length always matches the body. @see RFC 3261 §7.4.2 */
  toBuffer(): Buffer {
    const head = this.head();
    if (this.body.length === 0) return Buffer.from(head, 'utf8');
    // head and body written into one buffer: no intermediate copy of the header block
    const headBytes = Buffer.byteLength(head, 'utf8');
    const out = Buffer.allocUnsafe(headBytes + this.body.length);
    out.write(head, 0, 'utf8');
    this.body.copy(out, headBytes);
    return out;
  }

  /** Bytes `toBuffer` would give, without writing them. */
  byteLength(): number {
    return Buffer.byteLength(this.head(), 'utf8') + this.body.length;
  }

  /** Start line and header block, through the empty line. */
  private head(): string {
    const len = String(this.body.length);
    let head = this.startLine() + '\r\n';
    let sawLength = false;
    for (const h of this.headers) {
      if (h.key === 'content-length') {
        if (sawLength) continue;
        sawLength = true;
        if (h.value !== len) {
          head += 'Content-Length: ' + len + '\r\n';
          continue;
        }
      }
      head += (h.raw ?? h.name + ': ' + h.value) + '\r\n';
    }
    if (!sawLength) head += 'Content-Length: ' + len + '\r\n';
    return head + '\r\n';
  }

  toString(): string {
    return this.toBuffer().toString('utf8');
  }
}

/** The optional headers `validate` parses, by key, as bits of its one pass. */
const VALIDATED = new Map<string, number>([
  ['max-forwards', 1], ['contact', 2], ['route', 4], ['record-route', 8], ['path', 16], ['expires', 32],
  ['event', 64], ['subscription-state', 128], ['content-type', 256], ['date', 512], ['authorization', 1024],
  ['proxy-authorization', 2048], ['www-authenticate', 4096], ['proxy-authenticate', 8192],
]);

export class SipRequest extends SipMessage {
  constructor(
    public method: string,
    /** The Request-URI as written. */
    public uriText: string,
    headers: Header[],
    body: Buffer,
  ) {
    super(headers, body);
  }

  isRequest(): this is SipRequest {
    return true;
  }

  /** The parsed Request-URI. Setting it rewrites `uriText`. */
  get uri(): Uri {
    return this.typed('@ruri', requestUri, null);
  }

  /**
   * A copy to change and forward (RFC 3261 §16.6 step 1): header lines and body are shared
   * until changed, since every change replaces a line rather than editing it.
   */
  clone(): SipRequest {
    const copy = new SipRequest(this.method, this.uriText, this.headers.slice(), this.body);
    copy.shareTypedFrom(this);
    return copy;
  }

  setUri(uriText: string): this {
    this.uriText = uriText;
    this.invalidate('@ruri');
    return this;
  }

  override validate(): this {
    const uri = this.uri;
    // RFC 3261 §19.1.1 table 1: headers are not allowed in a Request-URI.
    if (isSipUri(uri) && uri.headers.length > 0) {
      throw new SipError(400, 'Malformed Request-URI: headers are not allowed in a Request-URI', 'SIP_ERR_PARSE_RURI');
    }
    return super.validate();
  }

  startLine(): string {
    return `${this.method} ${this.uriText} ${this.version}`;
  }
}

export class SipResponse extends SipMessage {
  constructor(
    public status: number,
    public reason: string,
    headers: Header[],
    body: Buffer,
  ) {
    super(headers, body);
  }

  isRequest(): this is SipRequest {
    return false;
  }

  startLine(): string {
    return `${this.version} ${this.status} ${this.reason}`;
  }
}
