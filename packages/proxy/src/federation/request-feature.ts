import type { SipRequest } from '@herald/sip';
import type { Feature } from './federation-settings.js';

const FILE_SELECTOR = /(?:^|\n)a=file-selector\b/;

/**
 * The feature a request uses: MESSAGE is `messages`; SUBSCRIBE, NOTIFY and PUBLISH are
 * `presence`; INVITE is `calls`, or `fileTransfer` when its SDP offers a file (RFC 5547's
 * `a=file-selector`). Other methods (OPTIONS, INFO…) are no feature: `null`.
 * @see RFC 5547 §5
 */
export function requestFeature(req: SipRequest): Feature | null {
  switch (req.method) {
    case 'MESSAGE':
      return 'messages';
    case 'SUBSCRIBE':
    case 'NOTIFY':
    case 'PUBLISH':
      return 'presence';
    case 'INVITE':
      return offersFile(req) ? 'fileTransfer' : 'calls';
    default:
      return null;
  }
}

/** The body (SDP, or a multipart holding SDP) has an `a=file-selector` line. @see RFC 5547 §6 */
export function offersFile(req: Pick<SipRequest, 'body'>): boolean {
  return req.body.length > 0 && FILE_SELECTOR.test(req.body.toString('latin1'));
}
