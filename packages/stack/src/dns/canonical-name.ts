/**
 * A domain name in the one form Herald compares and keys by: lower case (DNS names match
 * without regard to case, RFC 4343 §2) and without the trailing dot of an absolute name
 * (RFC 1034 §3.1: `example.com.` and `example.com` name the same node here).
 * @see RFC 4343 §2, RFC 1034 §3.1
 */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
