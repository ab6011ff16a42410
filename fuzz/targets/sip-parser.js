/**
 * Fuzz target: the SIP parser (`parseMessage`), as a UDP datagram, and the 400 Herald builds
 * from what it could not parse.
 *
 * Invariants, each a finding when broken:
 * - parsing throws nothing but `SipParseError` (status 400 or 505 with a one-line reason);
 *   `validate()` nothing but `SipError`;
 * - a message that parses and validates re-serialises to bytes that parse (as a stream message)
 *   and validate to the same start line, headers and body, and serialise to the same bytes again;
 * - the error response for a request that did not parse keeps its status line and one line per header;
 * - every URI of a valid message, written out by `formatUri`, parses back to the same text.
 */
import { SipError, SipParseError, createResponse, formatUri, parseMessage, parseUri } from '@herald/sip';
import { check, checkSipError, describeError, sameMessage } from '../lib/invariants.js';

export function fuzz(data) {
  let msg;
  try {
    msg = parseMessage(data, { datagram: true });
  } catch (e) {
    if (!(e instanceof SipParseError)) throw describeError('parseMessage threw something other than SipParseError', e);
    checkSipError(e, [400, 505]);
    if (e.partial && e.partial.method !== 'ACK' && e.partial.hasHeader('via')) checkErrorResponse(e.partial, e);
    return;
  }
  try {
    msg.validate();
  } catch (e) {
    if (!(e instanceof SipError)) throw describeError('validate() threw something other than SipError', e);
    checkSipError(e, [400]);
    if (msg.isRequest() && msg.method !== 'ACK') checkErrorResponse(msg, e);
    return;
  }
  checkRoundTrip(msg);
  checkUris(msg);
}

/**
 * A URI Herald writes (a rewritten Request-URI, a Contact it stores, a Record-Route) is
 * `formatUri` of a parsed one: it must parse back to itself.
 * @see RFC 3261 §19.1.4
 */
function checkUris(msg) {
  const uris = [msg.from.uri, msg.to.uri, ...(msg.isRequest() ? [msg.uri] : []), ...(msg.contact === '*' ? [] : msg.contact.map((c) => c.uri))];
  for (const uri of uris) {
    const text = formatUri(uri);
    let again;
    try {
      again = formatUri(parseUri(text));
    } catch (e) {
      throw describeError(`formatUri wrote ${JSON.stringify(text)}, which does not parse`, e);
    }
    check(again === text, () => `formatUri is not stable: ${JSON.stringify(text)} → ${JSON.stringify(again)}`);
  }
}

/** RFC 3261 §7: what Herald writes must read back as what it read. */
function checkRoundTrip(msg) {
  const wire = msg.toBuffer();
  let again;
  try {
    again = parseMessage(wire, { datagram: false }).validate();
  } catch (e) {
    throw describeError(`a parsed message re-serialised to bytes that do not parse:\n${wire.toString('latin1')}`, e);
  }
  sameMessage(msg, again);
  const third = again.toBuffer();
  check(third.equals(wire), () => `serialising is not stable:\n${wire.toString('latin1')}\n---\n${third.toString('latin1')}`);
}

/**
 * The 400 (or 505) the transport sends back copies Via, From, To, Call-ID and CSeq as received,
 * malformed or missing ones included, so it need not parse; but its status line must read back
 * as written and each copied header must stay one header (no header of the sender's making).
 */
function checkErrorResponse(req, error) {
  const response = createResponse(req, error.status, error.reason);
  const head = response.toBuffer().toString('utf8');
  // A folded header (RFC 3261 §7.3.1) is copied as received: its continuation lines start with SP or HTAB.
  const lines = head.slice(0, head.indexOf('\r\n\r\n')).split('\n').filter((l) => !/^[ \t]/.test(l));
  check(lines[0] === `SIP/2.0 ${error.status} ${error.reason}\r`, () => `the error response starts ${JSON.stringify(lines[0])}`);
  check(lines.length === response.headers.length + 2, () => `the error response has ${lines.length - 2} header lines for ${response.headers.length} headers:\n${head}`);
}
