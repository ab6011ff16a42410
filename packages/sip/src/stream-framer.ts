import { contentLength } from './parser.js';

export interface FramerLimits {
  /** Largest header block accepted, in bytes. */
  maxHeaderSize: number;
  /** Largest Content-Length accepted, in bytes. */
  maxBodySize: number;
}

export type FramedItem = { kind: 'message'; data: Buffer } | { kind: 'ping' };

/** A stream that cannot be framed: the connection must be closed. */
export class FramingError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'FramingError';
  }
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * Cuts a byte stream (TCP, TLS) into SIP messages by the empty line and Content-Length.
 * A double CRLF between messages is a keep-alive ping to be answered with a CRLF pong;
 * a single CRLF (a pong, or stray) is skipped.
 * @see RFC 3261 §18.3, RFC 5626 §4.4.1
 */
export class StreamFramer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly limits: FramerLimits) {}

  /** Bytes received but not yet framed. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Feeds a chunk; returns the complete items it finished. Throws `FramingError`. */
  push(chunk: Buffer): FramedItem[] {
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: FramedItem[] = [];
    for (;;) {
      let i = 0;
      while (buf.length - i >= 2 && buf[i] === 0x0d && buf[i + 1] === 0x0a) {
        const rest = buf.length - i;
        if (rest >= 4 && buf[i + 2] === 0x0d && buf[i + 3] === 0x0a) {
          out.push({ kind: 'ping' });
          i += 4;
        } else if (rest === 2 || (rest === 3 && buf[i + 2] === 0x0d)) {
          break; // perhaps the first half of a ping: wait for more
        } else i += 2;
      }
      if (i > 0) buf = buf.subarray(i);
      if (buf.length === 0 || (buf[0] === 0x0d && buf.length < 4)) break;
      const end = buf.indexOf(CRLFCRLF);
      if (end < 0) {
        // The terminator may have begun in the last three bytes: the block could still end at the limit.
        if (buf.length - 3 > this.limits.maxHeaderSize) {
          throw new FramingError('header block larger than the limit', 'SIP_ERR_FRAMING_HEADER_TOO_LARGE');
        }
        break;
      }
      if (end > this.limits.maxHeaderSize) {
        throw new FramingError('header block larger than the limit', 'SIP_ERR_FRAMING_HEADER_TOO_LARGE');
      }
      const bodyStart = end + 4;
      const length = streamContentLength(buf, bodyStart);
      if (length > this.limits.maxBodySize) {
        throw new FramingError(`Content-Length ${length} larger than the limit`, 'SIP_ERR_FRAMING_BODY_TOO_LARGE');
      }
      if (buf.length < bodyStart + length) break;
      out.push({ kind: 'message', data: buf.subarray(0, bodyStart + length) });
      buf = buf.subarray(bodyStart + length);
    }
    this.pending = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
    return out;
  }
}

/** Content-Length of a header block (0 when absent); differing duplicates cannot be framed. */
function streamContentLength(buf: Buffer, bodyStart: number): number {
  const head = buf.toString('latin1', 0, bodyStart);
  const re = /\n(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)/gi;
  let found: number | undefined;
  for (let m = re.exec(head); m; m = re.exec(head)) {
    let n: number;
    try {
      n = contentLength(m[1].trim());
    } catch {
      throw new FramingError(`malformed Content-Length "${m[1].trim()}"`, 'SIP_ERR_FRAMING_CONTENT_LENGTH');
    }
    if (found !== undefined && found !== n) throw new FramingError('conflicting Content-Length headers', 'SIP_ERR_FRAMING_CONTENT_LENGTH');
    found = n;
  }
  return found ?? 0;
}
