/**
 * Character classes and small scanners for the RFC 3261 §25 grammar.
 * Tables are indexed by char code; everything above 0x7f is outside every class.
 */

function table(chars: string, alnum = true): Uint8Array {
  const t = new Uint8Array(128);
  if (alnum) {
    for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
    for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
    for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  }
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

const MARK = "-_.!~*'()";
/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = table("-.!%*_+`'~");
/** unreserved = alphanum / mark */
export const UNRESERVED = table(MARK);
/** user = 1*( unreserved / escaped / user-unreserved ) */
export const USER = table(MARK + '&=+$,;?/');
/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
export const PASSWORD = table(MARK + '&=+$,');
/** paramchar = param-unreserved / unreserved / escaped */
export const PARAMCHAR = table(MARK + '[]/:&+$');
/** hname / hvalue = 1*( hnv-unreserved / unreserved / escaped ) */
export const HNVCHAR = table(MARK + '[]/?:+$');
/** hostname characters (alphanum, "-", ".") */
export const HOSTNAME = table('-.');
/** Characters allowed in a tel: URI (RFC 3966 §3), loosely: digits, visual separators, params. */
export const TELCHAR = table(MARK + ';=+#:/&$,[]?%');
/** uric (RFC 2396) for absolute URIs of other schemes. */
export const URIC = table(MARK + ';/?:@&=+$,%#[]');
/** word (RFC 3261 §25.1), used by Call-ID. */
export const WORD = table("-.!%*_+`'~()<>:\\\"/[]?{}");

export function isWsp(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** True when every character of `s` from `start` to `end` is in `t` (or, with `escapes`, a %HH escape). */
export function allIn(t: Uint8Array, s: string, start = 0, end = s.length, escapes = false): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 128 && t[c] === 1) continue;
    if (escapes && c === 0x25 && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

export function isToken(s: string): boolean {
  return allIn(TOKEN, s);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes %HH escapes (RFC 3261 §19.1.2). Escaped bytes are read as UTF-8; in a run that is
 * not valid UTF-8, bytes above 0x7F become U+DC80–U+DCFF (as Python's surrogateescape), which
 * valid UTF-8 never yields, so distinct URIs never decode to the same text and `escape`
 * restores the original bytes. Throws on a malformed escape.
 */
export function unescape(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const bytes: number[] = [];
  let out = '';
  const flush = () => {
    if (!bytes.length) return;
    try {
      out += utf8.decode(Uint8Array.from(bytes));
    } catch {
      for (const b of bytes) out += String.fromCharCode(b < 0x80 ? b : 0xdc00 + b);
    }
    bytes.length = 0;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      if (!isHex(s.charCodeAt(i + 1)) || !isHex(s.charCodeAt(i + 2))) throw new Error(`bad escape in "${s}"`);
      bytes.push(parseInt(s.substr(i + 1, 2), 16));
      i += 2;
    } else {
      flush();
      out += s[i];
    }
  }
  flush();
  return out;
}

/** Escapes every character of `s` outside `allowed` as %HH of its UTF-8 bytes. */
export function escape(s: string, allowed: Uint8Array): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || allowed[c] !== 1) {
      plain = false;
      break;
    }
  }
  if (plain) return s;
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (c < 128 && allowed[c] === 1) out += ch;
    else if (c >= 0xdc80 && c <= 0xdcff) out += hexEscape(c - 0xdc00);
    else for (const b of Buffer.from(ch, 'utf8')) out += hexEscape(b);
  }
  return out;
}

function hexEscape(b: number): string {
  return '%' + (b < 16 ? '0' : '') + b.toString(16).toUpperCase();
}

/** Index of the first character at or after `i` that is not SP/HTAB. */
export function skipWs(s: string, i: number): number {
  while (i < s.length && isWsp(s.charCodeAt(i))) i++;
  return i;
}

/**
 * Reads a quoted-string starting at `i` (which must be the opening DQUOTE).
 * Returns the unescaped content and the index after the closing DQUOTE, or -1 when unterminated.
 * @see RFC 3261 §25.1 quoted-string, quoted-pair
 */
export function readQuoted(s: string, i: number): { value: string; end: number } {
  const close = s.indexOf('"', i + 1);
  if (close < 0) return { value: '', end: -1 };
  const bs = s.indexOf('\\', i + 1);
  if (bs < 0 || bs > close) return { value: s.slice(i + 1, close), end: close + 1 };
  let out = '';
  let j = i + 1;
  let from = j;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c === 0x22) return { value: out + s.slice(from, j), end: j + 1 };
    if (c === 0x5c) {
      const n = s.charCodeAt(j + 1);
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
      if (j + 1 >= s.length || n === 0x0a || n === 0x0d || n > 0x7f) return { value: '', end: -1 };
      out += s.slice(from, j) + s[j + 1];
      j += 2;
      from = j;
      continue;
    }
    j++;
  }
  return { value: '', end: -1 };
}

/** Quotes `s` as a quoted-string when it is not a token sequence. */
export function quoteIfNeeded(s: string): string {
  if (s.length && /^[A-Za-z0-9\-.!%*_+`'~ ]+$/.test(s) && s.trim() === s) return s;
  return quote(s);
}

export function quote(s: string): string {
  return '"' + s.replace(/[\\"]/g, (m) => '\\' + m) + '"';
}

/**
 * Splits a header value on commas that are outside quoted strings and angle brackets.
 * @see RFC 3261 §7.3.1
 */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) {
      const q = readQuoted(value, i);
      if (q.end < 0) break;
      i = q.end - 1;
    } else if (c === 0x3c) angle = true;
    else if (c === 0x3e) angle = false;
    else if (c === 0x2c && !angle) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out;
}
