/**
 * An assertion value as RFC 4515 writes it in a string filter: `*`, `(`, `)`, `\` and NUL
 * as `\` and two hex digits, so that a value from a SIP request can never widen the search.
 * @see RFC 4515 §3
 */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `(attribute=value)`, the value escaped, and-ed with the operator's `extra` filter when there is one. @see RFC 4515 §3 */
export function equalityFilter(attribute: string, value: string, extra?: string): string {
  const match = `(${attribute}=${escapeFilterValue(value)})`;
  return extra === undefined ? match : `(&${extra}${match})`;
}
