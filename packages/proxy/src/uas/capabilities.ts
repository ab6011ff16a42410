/** What Herald tells a client it can do: in answers to OPTIONS, in 405s, and in Require checks. */
export interface Capabilities {
  /** Methods. @see RFC 3261 §20.5 */
  allow: readonly string[];
  /** Body types. @see RFC 3261 §20.1 */
  accept: readonly string[];
  /** Option tags of the extensions Herald implements. @see RFC 3261 §20.37 */
  supported: readonly string[];
}

/** The option tags Herald implements. @see RFC 3327 (path), RFC 5626 (outbound), RFC 4662 (eventlist), RFC 5367 (recipient-list-subscribe) */
export const SUPPORTED_OPTION_TAGS: readonly string[] = ['path', 'outbound', 'eventlist', 'recipient-list-subscribe'];
