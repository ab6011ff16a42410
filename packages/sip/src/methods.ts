/** Methods Herald knows (RFC 3261 and the extensions it serves). */
export const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH',
  'INFO', 'REFER', 'MESSAGE', 'UPDATE',
]);

const KNOWN_METHOD_LIST = [...KNOWN_METHODS];

/**
 * The known method written exactly as `text[start, end)`, or `undefined`: the parser takes
 * the constant instead of slicing a new string for every request.
 */
export function knownMethodAt(text: string, start: number, end: number): string | undefined {
  for (const m of KNOWN_METHOD_LIST) if (m.length === end - start && text.startsWith(m, start)) return m;
  return undefined;
}
