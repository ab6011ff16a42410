import { isDigit, isToken, isWsp } from './grammar.js';
import { canonicalName, headerKey, knownNameAt } from './header-names.js';
import { type Header, SipMessage, SipRequest, SipResponse } from './message.js';
import { knownMethodAt } from './methods.js';
import { SipError, badRequest } from './sip-error.js';

export interface ParseOptions {
  /**
   * The message came in a datagram: a missing Content-Length means "the rest of the
   * datagram", and octets past Content-Length are discarded (RFC 3261 §18.3).
   * On a stream the framer has already cut the message at Content-Length.
   */
  datagram?: boolean;
  /** Most header lines accepted (default 256). */
  maxHeaders?: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * A message that failed to parse, with whatever could be recovered of it so that the
 * caller can still answer a request with a 400 (copying Via, From, To, Call-ID, CSeq).
 */
export class SipParseError extends SipError {
  constructor(
    cause: SipError,
    /** The request as far as it was split, when the start line looked like a request. */
    readonly partial: SipRequest | null,
  ) {
    super(cause.status, cause.reason, cause.code, cause.headers);
    this.name = 'SipParseError';
  }
}

/** Index just past the empty line ending the header block, or -1. Leading CRLFs are skipped. */
export function headerBlockEnd(buf: Buffer, from = 0): { start: number; bodyStart: number } | null {
  let start = from;
  while (start + 1 < buf.length && buf[start] === 0x0d && buf[start + 1] === 0x0a) start += 2;
  // Line by line: the first LF that ends an empty line (LF LF, or CRLF CRLF), so that a bare-LF
  // message carrying CRLFCRLF in its body ends at its own empty line, and the body is never scanned.
  for (let lf = buf.indexOf(0x0a, start); lf >= 0; lf = buf.indexOf(0x0a, lf + 1)) {
    const next = buf[lf + 1];
    if (next === 0x0a) return { start, bodyStart: lf + 2 };
    if (next === 0x0d && lf > start && buf[lf - 1] === 0x0d && buf[lf + 2] === 0x0a) return { start, bodyStart: lf + 3 };
  }
  return null;
}

/**
 * Parses one SIP message. The header block is split once; typed headers are parsed
 * lazily by the message. Eagerly checked: the start line, the presence of Via, From, To,
 * Call-ID and CSeq, single-valued headers appearing once, CSeq, and Content-Length.
 * Throws `SipParseError` (400 with a reason naming the problem, or 505).
 * @see RFC 3261 §7, §18.3
 */
export function parseMessage(buf: Buffer, options: ParseOptions = {}): SipRequest | SipResponse {
  const block = headerBlockEnd(buf);
  const datagram = options.datagram ?? true;
  let partial: SipRequest | null = null;
  try {
    const headEnd = block ? block.bodyStart : buf.length;
    const start = block ? block.start : 0;
    const head = buf.toString('utf8', start, headEnd);
    const lineEnd = head.indexOf('\n');
    if (lineEnd < 0) throw badRequest('Malformed start line');
    const startLine = head.slice(0, head.charCodeAt(lineEnd - 1) === 0x0d ? lineEnd - 1 : lineEnd);
    const headers: Header[] = [];
    let msg: SipMessage;
    let startLineError: SipError | undefined;
    if (startLine.startsWith('SIP/') || startLine.startsWith('sip/')) {
      msg = parseStatusLine(startLine, headers);
    } else {
      const req = parseRequestLine(startLine, headers);
      msg = partial = req.partial;
      startLineError = req.error;
    }
    const headerError = splitHeaders(head, lineEnd + 1, options.maxHeaders ?? 256, headers);
    if (startLineError) throw startLineError;
    if (headerError) throw headerError;
    // A datagram delimits its message: one that lacks the empty line simply has no body.
    if (!block && !datagram) throw badRequest('Incomplete header block');
    checkHeaders(msg);
    msg.body = block ? bodyOf(buf, block.bodyStart, msg, datagram) : EMPTY;
    return msg as SipRequest | SipResponse;
  } catch (e) {
    if (e instanceof SipError) throw new SipParseError(e, partial);
    throw e;
  }
}

/** Bits of the headers checked eagerly: the mandatory ones (§8.1.1) and the single-valued ones. */
const BIT = new Map<string, number>([
  ['via', 1], ['from', 2], ['to', 4], ['call-id', 8], ['cseq', 16],
  ['max-forwards', 32], ['content-length', 64], ['content-type', 128], ['expires', 256], ['min-expires', 512],
]);
const REQUIRED_BITS = 1 | 2 | 4 | 8 | 16;
const MULTIPLE_ALLOWED = 1;

/**
 * Splits the header block into `headers`, joining folded continuation lines (RFC 3261 §7.3.1).
 * Splits to the end even past a problem, so that a 400 can still copy Via, From, To,
 * Call-ID and CSeq; returns the first problem, if any.
 */
function splitHeaders(head: string, i: number, maxHeaders: number, headers: Header[]): SipError | undefined {
  let seen = 0;
  let error: SipError | undefined;
  const n = head.length;
  while (i < n) {
    let eol = head.indexOf('\n', i);
    if (eol < 0) eol = n;
    const lineEnd = eol > i && head.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol;
    if (lineEnd === i) break; // the empty line ending the header block
    const line = i;
    i = eol + 1;
    if (isWsp(head.charCodeAt(line))) {
      const prev = headers[headers.length - 1];
      if (!prev) {
        error ??= badRequest('Malformed header: continuation line without a header');
        continue;
      }
      prev.raw = prev.raw + '\r\n' + head.slice(line, lineEnd);
      prev.value = (prev.value + ' ' + head.slice(line, lineEnd).trim()).trim();
      continue;
    }
    const colon = head.indexOf(':', line);
    if (colon < 0 || colon > lineEnd) {
      error ??= badRequest(`Malformed header line "${truncate(head.slice(line, lineEnd))}"`);
      continue;
    }
    let nameEnd = colon;
    while (nameEnd > line && isWsp(head.charCodeAt(nameEnd - 1))) nameEnd--;
    const known = knownNameAt(head, line, nameEnd);
    const name = known !== undefined ? known.name : head.slice(line, nameEnd);
    if (known === undefined && !isToken(name)) {
      error ??= badRequest(`Malformed header name "${truncate(name)}"`);
      continue;
    }
    let v = colon + 1;
    while (v < lineEnd && isWsp(head.charCodeAt(v))) v++;
    let ve = lineEnd;
    while (ve > v && isWsp(head.charCodeAt(ve - 1))) ve--;
    const key = known !== undefined ? known.key : headerKey(name);
    const bit = BIT.get(key);
    if (bit !== undefined) {
      if (seen & bit & ~MULTIPLE_ALLOWED) error ??= badRequest(`Multiple ${canonicalName(key)} headers`, 'SIP_ERR_PARSE_MULTIPLE');
      seen |= bit;
    }
    if (headers.length === maxHeaders) return badRequest('Too many header lines', 'SIP_ERR_PARSE_LIMIT');
    headers.push({ name, key, value: head.slice(v, ve), raw: head.slice(line, lineEnd) });
  }
  if (error) return error;
  if ((seen & REQUIRED_BITS) !== REQUIRED_BITS) {
    for (const [key, bit] of BIT) {
      if (bit & REQUIRED_BITS & ~seen) return badRequest(`Missing ${canonicalName(key)} header`, 'SIP_ERR_PARSE_MISSING');
    }
  }
  return undefined;
}

function parseRequestLine(line: string, headers: Header[]): { partial: SipRequest; error?: SipError } {
  // Request-Line = Method SP Request-URI SP SIP-Version (single SPs, RFC 3261 §25.1)
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
  const method = sp1 < 0 ? line : (knownMethodAt(line, 0, sp1) ?? line.slice(0, sp1));
  const uri = sp1 < 0 ? '' : sp2 < 0 ? line.slice(sp1 + 1) : line.slice(sp1 + 1, sp2);
  const partial = new SipRequest(method, uri, headers, EMPTY);
  if (sp1 <= 0 || sp2 < 0 || sp2 === sp1 + 1 || sp2 === line.length - 1 || line.indexOf(' ', sp2 + 1) >= 0) {
    return { partial, error: badRequest('Malformed Request-Line', 'SIP_ERR_PARSE_START_LINE') };
  }
  if (!isToken(method)) return { partial, error: badRequest('Malformed method', 'SIP_ERR_PARSE_START_LINE') };
  if (!isUriScheme(uri)) return { partial, error: badRequest('Malformed Request-URI', 'SIP_ERR_PARSE_RURI') };
  const versionError = line.length === sp2 + 8 && line.endsWith('SIP/2.0') ? undefined : checkVersion(line.slice(sp2 + 1));
  if (versionError) return { partial, error: versionError };
  return { partial };
}

/** The Request-URI starts with `scheme ":"`, scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). */
function isUriScheme(uri: string): boolean {
  const colon = uri.indexOf(':');
  if (colon <= 0) return false;
  for (let i = 0; i < colon; i++) {
    const c = uri.charCodeAt(i) | 0x20;
    if (c >= 0x61 && c <= 0x7a) continue;
    if (i > 0 && (isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e)) continue;
    return false;
  }
  return true;
}

function parseStatusLine(line: string, headers: Header[]): SipResponse {
  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
  const sp = line.indexOf(' ');
  if (sp < 0) throw badRequest('Malformed Status-Line', 'SIP_ERR_PARSE_START_LINE');
  const versionError = checkVersion(line.slice(0, sp));
  if (versionError) throw versionError;
  const code = line.slice(sp + 1, sp + 4);
  if (!isDigit(code.charCodeAt(0)) || !isDigit(code.charCodeAt(1)) || !isDigit(code.charCodeAt(2))) {
    throw badRequest('Malformed Status-Code', 'SIP_ERR_PARSE_START_LINE');
  }
  const after = line.charCodeAt(sp + 4);
  if (!Number.isNaN(after) && after !== 0x20) throw badRequest('Malformed Status-Code', 'SIP_ERR_PARSE_START_LINE');
  const status = Number(code);
  if (status < 100 || status > 699) throw badRequest(`Status-Code ${status} out of range`, 'SIP_ERR_PARSE_START_LINE');
  return new SipResponse(status, line.slice(sp + 5), headers, EMPTY);
}

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; anything but 2.0 gets 505 (RFC 3261 §21.5.6). */
function checkVersion(version: string): SipError | undefined {
  if (version === 'SIP/2.0') return undefined;
  const m = /^SIP\/(\d+)\.(\d+)$/i.exec(version);
  if (!m) return badRequest('Malformed SIP-Version', 'SIP_ERR_PARSE_START_LINE');
  if (Number(m[1]) !== 2 || Number(m[2]) !== 0) {
    return new SipError(505, 'Version Not Supported', 'SIP_ERR_PARSE_VERSION');
  }
  return undefined;
}

function checkHeaders(msg: SipMessage): void {
  if (msg.callId === '') throw badRequest('Empty Call-ID header', 'SIP_ERR_PARSE_MISSING');
  const cseq = msg.cseq;
  if (msg instanceof SipRequest && cseq.method !== msg.method) {
    // RFC 3261 §8.1.1.5: the CSeq method MUST match the request method.
    throw badRequest('CSeq method does not match the request method', 'SIP_ERR_PARSE_CSEQ_METHOD');
  }
}

function bodyOf(buf: Buffer, bodyStart: number, msg: SipMessage, datagram: boolean): Buffer {
  const cl = msg.header('content-length');
  const available = buf.length - bodyStart;
  if (cl === undefined) {
    if (!datagram && available > 0) throw badRequest('Missing Content-Length header', 'SIP_ERR_PARSE_CONTENT_LENGTH');
    return buf.subarray(bodyStart);
  }
  const length = contentLength(cl);
  if (length > available) throw badRequest('Content-Length larger than the message', 'SIP_ERR_PARSE_CONTENT_LENGTH');
  return buf.subarray(bodyStart, bodyStart + length);
}

/** Content-Length = 1*DIGIT, bounded so it cannot overflow (RFC 4475 §3.1.2.4). */
export function contentLength(value: string): number {
  if (value.length === 0 || value.length > 9) throw badRequest('Malformed Content-Length', 'SIP_ERR_PARSE_CONTENT_LENGTH');
  for (let i = 0; i < value.length; i++) {
    if (!isDigit(value.charCodeAt(i))) throw badRequest('Malformed Content-Length', 'SIP_ERR_PARSE_CONTENT_LENGTH');
  }
  return Number(value);
}

function truncate(s: string): string {
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}
