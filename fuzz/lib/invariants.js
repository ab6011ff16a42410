/** Checks shared by the fuzz targets: each throws an `Error` (a finding) when an invariant is broken. */

/** A broken invariant: the fuzzer reports it with the input that caused it. */
export function check(condition, message) {
  if (!condition) throw new Error(`invariant broken: ${message()}`);
}

/** Wraps an unexpected throw so the report says which invariant it broke and keeps the original. */
export function describeError(what, error) {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new Error(`invariant broken: ${what}\n  ${detail}`, { cause: error });
}

/** A SIP error must become a response: a status Herald may send and a reason phrase that fits one line. */
export function checkSipError(error, statuses) {
  check(statuses.includes(error.status), () => `status ${error.status} for a parse error (${error.reason})`);
  check(typeof error.reason === 'string' && error.reason.length > 0, () => `empty reason phrase (status ${error.status})`);
  // RFC 3261 §25.1: Reason-Phrase = *(reserved / unreserved / escaped / UTF8-NONASCII / UTF8-CONT / SP / HTAB)
  check(!/[\r\n]/.test(error.reason), () => `reason phrase spans lines: ${JSON.stringify(error.reason)}`);
}

/** Start line, header lines (name and value) and body equal; Content-Length only as a number. */
export function sameMessage(a, b) {
  check(a.startLine() === b.startLine(), () => `start line ${JSON.stringify(a.startLine())} read back as ${JSON.stringify(b.startLine())}`);
  const lines = (m) => m.headers.filter((h) => h.key !== 'content-length').map((h) => `${h.key}: ${h.value}`);
  const [la, lb] = [lines(a), lines(b)];
  check(la.length === lb.length && la.every((l, i) => l === lb[i]), () => `headers changed on the round trip:\n${la.join('\n')}\n---\n${lb.join('\n')}`);
  check(a.body.equals(b.body), () => `body of ${a.body.length} bytes read back as ${b.body.length} bytes`);
}
