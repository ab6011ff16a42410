import type { SipRequest } from '@herald/sip';
import { PIDF, PRESENCE_FORMATS, type PresenceFormat, chooseFormat } from '../pidf/presence-formats.js';
import { badResourceList, eventlistRequired, notAcceptable, unsupportedMediaType } from '../presence-errors.js';
import { InvalidResourceList, RESOURCE_LISTS, parseResourceList } from './resource-list-document.js';
import { RLMI } from './rlmi-document.js';

/**
 * The entries of the list a SUBSCRIBE carries in its body (`Require:
 * recipient-list-subscribe`): 415 unless the body is a resource-lists document, 400 when
 * it is not a list; `null` when the SUBSCRIBE carries no list.
 * @see RFC 5367 §4, RFC 4826 §3.2
 */
export function requestedList(req: SipRequest): string[] | null {
  if (!req.optionTags('require').includes('recipient-list-subscribe')) return null;
  const type = req.contentType;
  if (type === undefined || `${type.type}/${type.subtype}` !== RESOURCE_LISTS) throw unsupportedMediaType([RESOURCE_LISTS]);
  try {
    return parseResourceList(req.body.toString('utf8'));
  } catch (error) {
    if (error instanceof InvalidResourceList) throw badResourceList(error.message);
    throw error;
  }
}

/**
 * The format of the members' documents in a list subscription's NOTIFYs. The watcher must
 * support `eventlist` (421) and, when it sends Accept, accept `multipart/related` (406):
 * a client that cannot read list NOTIFYs never gets one. The members' format is the first
 * other Accept value Herald writes, else PIDF.
 * @see RFC 4662 §4.6, §5; RFC 3856 §6.7
 */
export function listFormat(supported: readonly string[], accept: readonly string[]): PresenceFormat {
  if (!supported.includes('eventlist')) throw eventlistRequired();
  if (accept.length > 0 && !accept.some((a) => a.startsWith('multipart/related'))) throw notAcceptable(['multipart/related', RLMI, ...PRESENCE_FORMATS]);
  return chooseFormat(accept.filter((a) => !a.startsWith('multipart/') && !a.startsWith(RLMI))) ?? PIDF;
}
