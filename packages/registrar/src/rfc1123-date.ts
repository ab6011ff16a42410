let second = Number.NaN;
let text = '';

/**
 * The `Date` header value for `now` (ms since the epoch), in RFC 1123 form, GMT (RFC 3261
 * §20.17). Formatted once per second rather than once per response: every 200 to a REGISTER
 * carries one (§10.3 step 8).
 */
export function rfc1123Date(now: number): string {
  const s = Math.floor(now / 1000);
  if (s !== second) {
    second = s;
    text = new Date(s * 1000).toUTCString();
  }
  return text;
}
