import { SipError, type Uri, isSipUri } from '@herald/sip';
import { accountAor } from '@herald/store';

/**
 * The canonical address-of-record of a To (or Request-URI) URI: `sip:user@host`, host
 * lower case, user unescaped, every parameter and the port removed. SIPS AoRs share
 * their SIP form, so a user is one AoR whichever scheme a client registers with.
 * @see RFC 3261 §10.3 step 5
 */
export function canonicalAor(uri: Uri): string {
  if (!isSipUri(uri) || uri.user === null || uri.user === '') {
    throw new SipError(404, 'Not Found', 'SIP_ERR_REGISTRAR_BAD_AOR');
  }
  return accountAor(uri.user, uri.host);
}

