import { DnsError } from './dns-lookup.js';

/** Longest name on the wire, length octets included. @see RFC 1035 §2.3.4 */
export const MAX_NAME_LENGTH = 255;
/** @see RFC 1035 §2.3.4 */
export const MAX_LABEL_LENGTH = 63;

/**
 * A bounds-checked cursor over a received DNS message: every read past the end, every bad
 * label and every compression pointer that does not point strictly backwards throws a
 * `DnsError` `SIP_ERR_DNS_MALFORMED`, so no input can crash or hang the decoder.
 */
export class DnsReader {
  offset = 0;

  constructor(readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.offset++];
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  u48(): number {
    this.need(6);
    const v = this.buf.readUIntBE(this.offset, 6);
    this.offset += 6;
    return v;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  /** A <character-string>: one length octet, then that many octets. @see RFC 1035 §3.3 */
  characterString(): string {
    return this.bytes(this.u8()).toString('utf8');
  }

  /**
   * A domain name, following compression pointers (RFC 1035 §4.1.4). A pointer must point
   * before the start of the run of labels it ends, so each jump goes strictly backwards and
   * a pointer loop is impossible; the whole name is held to 255 octets (§2.3.4).
   * Returns the name without the trailing dot, or `.` for the root, with case kept.
   */
  name(): string {
    const labels: string[] = [];
    let pos = this.offset;
    let runStart = pos;
    let end = -1;
    let length = 1;
    for (;;) {
      if (pos >= this.buf.length) throw malformed('a name runs past the end of the message');
      const len = this.buf[pos];
      if (len === 0) {
        pos += 1;
        break;
      }
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= this.buf.length) throw malformed('a compression pointer runs past the end of the message');
        const target = ((len & 0x3f) << 8) | this.buf[pos + 1];
        if (target >= runStart) throw malformed(`a compression pointer at ${pos} does not point backwards (to ${target})`);
        if (end < 0) end = pos + 2;
        pos = runStart = target;
        continue;
      }
      if ((len & 0xc0) !== 0) throw malformed(`label type ${len >> 6} at ${pos} is not supported`);
      length += len + 1;
      if (length > MAX_NAME_LENGTH) throw malformed('a name is longer than 255 octets');
      if (pos + 1 + len > this.buf.length) throw malformed('a label runs past the end of the message');
      labels.push(labelText(this.buf, pos + 1, pos + 1 + len));
      pos += 1 + len;
    }
    this.offset = end < 0 ? pos : end;
    return labels.length === 0 ? '.' : labels.join('.');
  }

  private need(n: number): void {
    if (n > this.remaining) throw malformed(`${n} octets needed at ${this.offset}, ${this.remaining} left`);
  }
}

export function malformed(why: string): DnsError {
  return new DnsError(`malformed DNS message: ${why}`, 'SIP_ERR_DNS_MALFORMED');
}

/** Master-file text of a label: `.`, `\` and octets outside printable ASCII escaped. @see RFC 1035 §5.1 */
function labelText(buf: Buffer, start: number, end: number): string {
  let plain = true;
  for (let i = start; i < end && plain; i++) {
    const c = buf[i];
    plain = c > 0x20 && c < 0x7f && c !== 0x2e && c !== 0x5c;
  }
  if (plain) return buf.toString('latin1', start, end);
  let s = '';
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === 0x2e || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\' + String(c).padStart(3, '0');
  }
  return s;
}

/**
 * The wire form of a name, uncompressed, case kept (RFC 1035 §3.1, §4.1.4 makes compression
 * optional for a sender). Takes `a.example`, `a.example.` or `.`; `\.` and `\DDD` escapes
 * as in master files. A name that cannot be encoded throws `SIP_ERR_DNS_MALFORMED`.
 * @see RFC 1035 §3.1
 */
export function encodeName(name: string): Buffer {
  if (!name.includes('\\')) return encodePlainName(name);
  const octets: number[] = [];
  let label: number[] = [];
  const endLabel = () => {
    if (label.length === 0) throw malformed(`name "${name}" has an empty label`);
    if (label.length > MAX_LABEL_LENGTH) throw malformed(`name "${name}" has a label longer than 63 octets`);
    octets.push(label.length, ...label);
    label = [];
  };
  const text = name === '.' || name === '' ? '' : name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '.') {
      endLabel();
    } else if (ch === '\\') {
      const digits = /^\d{3}/.exec(text.slice(i + 1));
      if (digits && Number(digits[0]) < 256) {
        label.push(Number(digits[0]));
        i += 3;
      } else if (i + 1 < text.length) {
        label.push(...Buffer.from(text[++i], 'utf8'));
      } else {
        throw malformed(`name "${name}" ends with a lone backslash`);
      }
    } else {
      label.push(...Buffer.from(ch, 'utf8'));
    }
  }
  if (text !== '') endLabel();
  octets.push(0);
  if (octets.length > MAX_NAME_LENGTH) throw malformed(`name "${name}" is longer than 255 octets`);
  return Buffer.from(octets);
}

/** The common case, a name without escapes: each dot becomes the length of the label after it. */
function encodePlainName(name: string): Buffer {
  const text = name.endsWith('.') ? name.slice(0, -1) : name;
  if (text === '') return Buffer.from([0]);
  const out = Buffer.allocUnsafe(Buffer.byteLength(text) + 2);
  if (out.length > MAX_NAME_LENGTH) throw malformed(`name "${name}" is longer than 255 octets`);
  let pos = 0;
  for (const label of text.split('.')) {
    const length = out.write(label, pos + 1);
    if (length === 0) throw malformed(`name "${name}" has an empty label`);
    if (length > MAX_LABEL_LENGTH) throw malformed(`name "${name}" has a label longer than 63 octets`);
    out[pos] = length;
    pos += length + 1;
  }
  out[pos] = 0;
  return out;
}
