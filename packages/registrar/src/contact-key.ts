import { type Uri, formatUri, isSipUri, parseUri } from '@herald/sip';
import type { Binding } from '@herald/store';
import type { ContactUpdate } from './apply-register.js';

/** URI parameters that must match for two SIP URIs to be equal. @see RFC 3261 §19.1.4 */
const COMPARED_PARAMS = ['transport', 'user', 'ttl', 'method', 'maddr'] as const;

/**
 * A string equal for two Contact URIs exactly when they name the same binding: scheme,
 * user and password as written, host case-insensitive, port, and the parameters RFC 3261
 * §19.1.4 says must match. Other parameters do not tell bindings apart.
 */
export function contactKey(uri: Uri): string {
  if (!isSipUri(uri)) return formatUri(uri);
  let key = `${uri.scheme}:${uri.user ?? ''}:${uri.password ?? ''}@${uri.host}:${uri.port ?? ''}`;
  for (const name of COMPARED_PARAMS) {
    const v = uri.params.get(name);
    if (v !== undefined) key += `;${name}=${v === null ? '' : v.toLowerCase()}`;
  }
  return key;
}

/** The key of an outbound registration: instance and reg-id, whatever the Contact URI. @see RFC 5626 §6 */
export function outboundKey(instanceId: string, regId: number): string {
  return `outbound ${instanceId} ${regId}`;
}

/** The key of a stored binding, the same as `contactKey`/`outboundKey` gave when it was written. */
export function storedBindingKey(b: Binding): string {
  return b.instanceId !== null && b.regId !== null ? outboundKey(b.instanceId, b.regId) : contactKey(parseUri(b.contact));
}

/**
 * `storedBindingKey`, but a stored binding written with the same URI text as a plain
 * (non-outbound) contact of the request takes that contact's key instead of its URI being
 * parsed again: the same text parses to the same URI, so to the same key. A refresh resends
 * the contact it registered, so most REGISTERs parse no stored URI.
 */
export function storedBindingKeyReusing(contacts: readonly ContactUpdate[]): (b: Binding) => string {
  return (b) => {
    if (b.instanceId !== null && b.regId !== null) return outboundKey(b.instanceId, b.regId);
    for (const c of contacts) if (c.regId === null && c.contact === b.contact) return c.key;
    return contactKey(parseUri(b.contact));
  };
}
