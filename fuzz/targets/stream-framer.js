/**
 * Fuzz target: the TCP/TLS stream framer (`StreamFramer`) and the parser behind it.
 *
 * The input is a byte stream; its last byte seeds how it is cut into chunks, so the fuzzer
 * explores segment boundaries too. Invariants, each a finding when broken:
 * - `push` throws nothing but `FramingError`;
 * - the messages and keep-alives framed, and the framing error if any, do not depend on how the
 *   stream was cut;
 * - each framed message parses or throws `SipParseError`, as the stream transport expects.
 */
import { FramingError, SipParseError, StreamFramer, parseMessage } from '@herald/sip';
import { check, describeError } from '../lib/invariants.js';

// Small limits, so that inputs of a few kilobytes reach the limit checks too.
const LIMITS = { maxHeaderSize: 2048, maxBodySize: 1024 };

export function fuzz(data) {
  if (data.length === 0) return;
  const stream = data.subarray(0, data.length - 1);
  const whole = frame([stream]);
  const cut = frame(chunks(stream, data[data.length - 1]));
  check(sameItems(whole, cut), () => `framing depends on segment boundaries: ${summary(whole)} vs ${summary(cut)}`);
  for (const item of whole.items) {
    if (item.kind !== 'message') continue;
    try {
      parseMessage(item.data, { datagram: false });
    } catch (e) {
      if (!(e instanceof SipParseError)) throw describeError('a framed message threw something other than SipParseError', e);
    }
  }
}

function frame(pieces) {
  const framer = new StreamFramer(LIMITS);
  const items = [];
  for (const piece of pieces) {
    try {
      for (const item of framer.push(piece)) items.push(item.kind === 'message' ? { kind: 'message', data: Buffer.from(item.data) } : item);
    } catch (e) {
      if (!(e instanceof FramingError)) throw describeError('StreamFramer.push threw something other than FramingError', e);
      return { items, error: e.code };
    }
  }
  return { items, error: null };
}

/** Cuts `stream` into pieces of 1 to 64 bytes, in a pattern `seed` picks. */
function chunks(stream, seed) {
  const out = [];
  let state = seed | 1;
  for (let at = 0; at < stream.length; ) {
    state = (state * 73 + 41) & 0xff;
    const size = 1 + (state % 64);
    out.push(stream.subarray(at, at + size));
    at += size;
  }
  return out;
}

function sameItems(a, b) {
  if (a.error !== b.error) return false;
  // A push that throws returns nothing, so with an error one side may hold fewer items: a prefix.
  if (a.error === null && a.items.length !== b.items.length) return false;
  const n = Math.min(a.items.length, b.items.length);
  for (let i = 0; i < n; i++) {
    const [x, y] = [a.items[i], b.items[i]];
    if (x.kind !== y.kind || (x.kind === 'message' && !x.data.equals(y.data))) return false;
  }
  return true;
}

function summary(r) {
  return `${r.items.map((i) => (i.kind === 'message' ? `message(${i.data.length})` : 'ping')).join(',')}${r.error ? ` then ${r.error}` : ''}`;
}
