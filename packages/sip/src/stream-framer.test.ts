import { FramingError, StreamFramer } from './stream-framer.js';

const limits = { maxHeaderSize: 1024, maxBodySize: 4096 };
const m1 = 'OPTIONS sip:a SIP/2.0\r\nContent-Length: 5\r\n\r\nhello';
const m2 = 'OPTIONS sip:b SIP/2.0\r\nl: 0\r\n\r\n';

const texts = (items: ReturnType<StreamFramer['push']>) => items.map((i) => (i.kind === 'message' ? i.data.toString() : i.kind));

describe('RFC 3261 §18.3 stream framing', () => {
  it('frames several messages in one chunk', () => {
    expect(texts(new StreamFramer(limits).push(Buffer.from(m1 + m2)))).toEqual([m1, m2]);
  });

  it('frames a message split over several chunks', () => {
    const f = new StreamFramer(limits);
    const whole = m1 + m2;
    const out: string[] = [];
    const cuts = [0, 5, 30, 45, whole.length];
    for (let i = 1; i < cuts.length; i++) out.push(...texts(f.push(Buffer.from(whole.slice(cuts[i - 1], cuts[i])))));
    expect(out).toEqual([m1, m2]);
  });

  it('frames a header block of exactly the limit however the stream is cut (found by the stream-framer fuzz target)', () => {
    const head = 'OPTIONS sip:a SIP/2.0\r\nX: ';
    // The block ends at byte maxHeaderSize, its CRLFCRLF after it.
    const atLimit = head + 'a'.repeat(limits.maxHeaderSize - head.length) + '\r\n\r\n';
    for (let cut = limits.maxHeaderSize - 1; cut < atLimit.length; cut++) {
      const f = new StreamFramer(limits);
      const out = [...texts(f.push(Buffer.from(atLimit.slice(0, cut)))), ...texts(f.push(Buffer.from(atLimit.slice(cut))))];
      expect(out).toEqual([atLimit]);
    }
    const f = new StreamFramer(limits);
    expect(() => f.push(Buffer.from(head + 'a'.repeat(limits.maxHeaderSize - head.length + 1) + '\r\n\r'))).toThrow(FramingError);
  });

  it('frames byte by byte', () => {
    const f = new StreamFramer(limits);
    const out: string[] = [];
    for (const ch of m1 + m2) out.push(...texts(f.push(Buffer.from(ch))));
    expect(out).toEqual([m1, m2]);
    expect(f.buffered).toBe(0);
  });

  it('reports a double-CRLF keep-alive as a ping and skips a single CRLF (RFC 5626 §4.4.1)', () => {
    const f = new StreamFramer(limits);
    expect(texts(f.push(Buffer.from('\r\n\r\n')))).toEqual(['ping']);
    expect(texts(f.push(Buffer.from('\r\n' + m2)))).toEqual([m2]);
    expect(texts(f.push(Buffer.from('\r\n')))).toEqual([]);
    expect(texts(f.push(Buffer.from('\r\n')))).toEqual(['ping']);
  });

  it('takes a missing Content-Length as zero', () => {
    expect(texts(new StreamFramer(limits).push(Buffer.from('OPTIONS sip:a SIP/2.0\r\nX: y\r\n\r\n')))).toHaveLength(1);
  });

  it.each([
    ['a Content-Length that is not a number', 'OPTIONS sip:a SIP/2.0\r\nContent-Length: ten\r\n\r\n', 'SIP_ERR_FRAMING_CONTENT_LENGTH'],
    ['conflicting Content-Lengths', 'OPTIONS sip:a SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\nab', 'SIP_ERR_FRAMING_CONTENT_LENGTH'],
    ['a body over the limit', 'OPTIONS sip:a SIP/2.0\r\nContent-Length: 5000\r\n\r\n', 'SIP_ERR_FRAMING_BODY_TOO_LARGE'],
    ['a header block over the limit', 'OPTIONS sip:a SIP/2.0\r\nX: ' + 'a'.repeat(2000), 'SIP_ERR_FRAMING_HEADER_TOO_LARGE'],
  ])('cannot frame %s', (_, text, code) => {
    let err: unknown;
    try {
      new StreamFramer(limits).push(Buffer.from(text));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FramingError);
    expect((err as FramingError).code).toBe(code);
  });
});
