import { isDigit, isToken, isWsp } from './grammar.js';
import { SINGLE_HEADERS, canonicalName, headerKey } from './header-names.js';
import { type Header, SipMessage, SipRequest, SipResponse } from './message.js';
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

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');
const REQUIRED = ['via', 'from', 'to', 'call-id', 'cseq'] as const;

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
  const crlf = buf.indexOf(CRLFCRLF, start);
  if (crlf >= 0) return { start, bodyStart: crlf + 4 };
  const lf = buf.indexOf(LFLF, start);
  if (lf >= 0) return { start, bodyStart: lf + 2 };
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
    const headers = splitHeaders(head, lineEnd + 1, options.maxHeaders ?? 256);

    let msg: SipMessage;
    if (startLine.startsWith('SIP/') || startLine.startsWith('sip/')) {
      msg = parseStatusLine(startLine, headers);
    } else {
      const req = parseRequestLine(startLine, headers);
      partial = req.partial;
      if (req.error) throw req.error;
      msg = partial;
    }
    // A datagram delimits its message: one that lacks the empty line simply has no body.
    if (!block && !datagram) throw badRequest('Incomplete header block');
    checkHeaders(msg);
    msg.body = block ? bodyOf(buf, block.bodyStart, msg, datagram) : Buffer.alloc(0);
    return msg as SipRequest | SipResponse;
  } catch (e) {
    if (e instanceof SipError) throw new SipParseError(e, partial);
    throw e;
  }
}

/** Splits the header block into lines, joining folded continuation lines (RFC 3261 §7.3.1). */
function splitHeaders(head: string, i: number, maxHeaders: number): Header[] {
  const headers: Header[] = [];
  const n = head.length;
  while (i < n) {
    let eol = head.indexOf('\n', i);
    if (eol < 0) eol = n;
    const lineEnd = eol > i && head.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol;
    if (lineEnd === i) break; // the empty line ending the header block
    const first = head.charCodeAt(i);
    if (isWsp(first)) {
      const prev = headers[headers.length - 1];
      if (!prev) throw badRequest('Malformed header: continuation line without a header');
      prev.raw = prev.raw + '\r\n' + head.slice(i, lineEnd);
      prev.value = (prev.value + ' ' + head.slice(i, lineEnd).trim()).trim();
    } else {
      const colon = head.indexOf(':', i);
      if (colon < 0 || colon > lineEnd) throw badRequest(`Malformed header line "${truncate(head.slice(i, lineEnd))}"`);
      let nameEnd = colon;
      while (nameEnd > i && isWsp(head.charCodeAt(nameEnd - 1))) nameEnd--;
      const name = head.slice(i, nameEnd);
      if (!isToken(name)) throw badRequest(`Malformed header name "${truncate(name)}"`);
      let v = colon + 1;
      while (v < lineEnd && isWsp(head.charCodeAt(v))) v++;
      let ve = lineEnd;
      while (ve > v && isWsp(head.charCodeAt(ve - 1))) ve--;
      headers.push({ name, key: headerKey(name), value: head.slice(v, ve), raw: head.slice(i, lineEnd) });
      if (headers.length > maxHeaders) throw badRequest('Too many header lines', 'SIP_ERR_PARSE_LIMIT');
    }
    i = eol + 1;
  }
  return headers;
}

function parseRequestLine(line: string, headers: Header[]): { partial: SipRequest; error?: SipError } {
  // Request-Line = Method SP Request-URI SP SIP-Version (single SPs, RFC 3261 §25.1)
  const parts = line.split(' ');
  const partial = new SipRequest(parts[0] ?? '', parts[1] ?? '', headers, Buffer.alloc(0));
  if (parts.length !== 3 || !parts[0] || !parts[1] || !parts[2]) {
    return { partial, error: badRequest('Malformed Request-Line', 'SIP_ERR_PARSE_START_LINE') };
  }
  const [method, uri, version] = parts;
  if (!isToken(method)) return { partial, error: badRequest('Malformed method', 'SIP_ERR_PARSE_START_LINE') };
  if (uri.charCodeAt(0) === 0x3c || !/^[A-Za-z][A-Za-z0-9+\-.]*:/.test(uri)) {
    return { partial, error: badRequest('Malformed Request-URI', 'SIP_ERR_PARSE_RURI') };
  }
  const versionError = checkVersion(version);
  if (versionError) return { partial, error: versionError };
  partial.version = 'SIP/2.0';
  return { partial };
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
  return new SipResponse(status, line.slice(sp + 5), headers, Buffer.alloc(0));
}

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; anything but 2.0 gets 505 (RFC 3261 §21.5.6). */
function checkVersion(version: string): SipError | undefined {
  const m = /^SIP\/(\d+)\.(\d+)$/i.exec(version);
  if (!m) return badRequest('Malformed SIP-Version', 'SIP_ERR_PARSE_START_LINE');
  if (Number(m[1]) !== 2 || Number(m[2]) !== 0) {
    return new SipError(505, 'Version Not Supported', 'SIP_ERR_PARSE_VERSION');
  }
  return undefined;
}

function checkHeaders(msg: SipMessage): void {
  const seen = new Set<string>();
  for (const h of msg.headers) {
    if (SINGLE_HEADERS.has(h.key)) {
      if (seen.has(h.key)) throw badRequest(`Multiple ${canonicalName(h.key)} headers`, 'SIP_ERR_PARSE_MULTIPLE');
      seen.add(h.key);
    } else if (h.key === 'via') seen.add('via');
  }
  for (const key of REQUIRED) {
    if (!seen.has(key)) throw badRequest(`Missing ${canonicalName(key)} header`, 'SIP_ERR_PARSE_MISSING');
  }
  if (msg.header('call-id') === '') throw badRequest('Empty Call-ID header', 'SIP_ERR_PARSE_MISSING');
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
