import type { ComposedPresence } from './compose-presence.js';
import { PIDF_NS } from './pidf-document.js';
import { element, stableId, xmlDocument } from './xml-tree.js';

export const PIDF = 'application/pidf+xml';
/** draft-ietf-impp-cpim-pidf, which RFC 3863 became: PIDF in another namespace (Cisco phones, Sametime-era gateways). */
export const CPIM_PIDF = 'application/cpim-pidf+xml';
/** draft-rosenberg-impp-pidf, read by pjsip (MicroSIP), Microsoft and older Cisco clients. */
export const XPIDF = 'application/xpidf+xml';

export type PresenceFormat = typeof PIDF | typeof CPIM_PIDF | typeof XPIDF;

export const PRESENCE_FORMATS: readonly PresenceFormat[] = [PIDF, CPIM_PIDF, XPIDF];

const CPIM_PIDF_NS = 'urn:ietf:params:xml:ns:cpim-pidf';

/**
 * The format a watcher gets: the first of its Accept values (lower case, parameters
 * allowed) that Herald writes, PIDF for a wildcard or no Accept at all; `null` when it
 * accepts none of them (406).
 * @see RFC 3856 §6.7, RFC 6665 §4.1.1
 */
export function chooseFormat(accept: readonly string[]): PresenceFormat | null {
  if (accept.length === 0) return PIDF;
  for (const value of accept) {
    const type = value.split(';')[0]?.trim() ?? '';
    if (type === '*/*' || type === 'application/*') return PIDF;
    const format = PRESENCE_FORMATS.find((f) => f === type);
    if (format !== undefined) return format;
  }
  return null;
}

/** The composed state as a document of `format`. */
export function renderPresence(presence: ComposedPresence, format: PresenceFormat): string {
  switch (format) {
    case PIDF:
      return pidfDocument(presence, presence.namespaces, presence.entity);
    case CPIM_PIDF:
      return pidfDocument(presence, cpimNamespaces(presence.namespaces), `pres:${presence.entity.slice(presence.entity.indexOf(':') + 1)}`);
    case XPIDF:
      return xpidfDocument(presence);
  }
}

/** @see RFC 3863 §4 */
function pidfDocument(presence: ComposedPresence, namespaces: Record<string, string>, entity: string): string {
  const attributes: Record<string, string> = {};
  for (const [prefix, uri] of Object.entries(namespaces)) attributes[prefix === '' ? 'xmlns' : `xmlns:${prefix}`] = uri;
  attributes.entity = entity;
  return xmlDocument(element('presence', attributes, presence.elements));
}

/** The same bindings with the PIDF namespace renamed to the draft's: the elements are the same. */
function cpimNamespaces(namespaces: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [prefix, uri] of Object.entries(namespaces)) out[prefix] = uri === PIDF_NS ? CPIM_PIDF_NS : uri;
  return out;
}

/**
 * One atom with one address. `status` is only `open` or `closed` (pjsip reads anything but
 * `open` as offline); what the person is doing goes in Microsoft's `msnsubstatus`.
 */
function xpidfDocument(presence: ComposedPresence): string {
  const uri = presence.entity;
  const address = element('address', { uri, priority: '0.800000' }, [
    element('status', { status: presence.open ? 'open' : 'closed' }, []),
    element('msnsubstatus', { substatus: msnSubstatus(presence) }, []),
  ]);
  // A stable atom id: a client sees the same atom in every NOTIFY.
  const root = element('presence', {}, [element('presentity', { uri: `${uri};method=SUBSCRIBE` }, []), element('atom', { id: stableId(uri) }, [address])]);
  return xmlDocument(root, '<!DOCTYPE presence PUBLIC "-//IETF//DTD RFCxxxx XPIDF 1.0//EN" "xpidf.dtd">');
}

/** RPID activities as MS-SIP's substatus values. @see RFC 4480 §3.2 */
function msnSubstatus({ open, activities }: ComposedPresence): string {
  if (!open) return 'offline';
  if (activities.includes('on-the-phone')) return 'onthephone';
  if (activities.includes('busy') || activities.includes('meeting')) return 'busy';
  if (activities.includes('meal') || activities.includes('breakfast') || activities.includes('dinner')) return 'outtolunch';
  if (activities.includes('away') || activities.includes('vacation') || activities.includes('sleeping')) return 'away';
  return 'online';
}
