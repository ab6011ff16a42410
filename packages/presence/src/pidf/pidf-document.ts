import { type XmlNode, attributesOf, childNodes, elementName, parseXmlRoot, splitName } from './xml-tree.js';

export const PIDF_NS = 'urn:ietf:params:xml:ns:pidf';
export const DATA_MODEL_NS = 'urn:ietf:params:xml:ns:pidf:data-model';

/**
 * A published PIDF document, taken apart for composition: its root's namespace
 * declarations and its top-level elements by kind, each as written.
 * @see RFC 3863 §4, RFC 4479 §3
 */
export interface PidfDocument {
  entity: string;
  /** Prefix (`''` for the default namespace) → namespace URI, as the root declares them. */
  namespaces: Record<string, string>;
  tuples: XmlNode[];
  /** `dm:person` elements. @see RFC 4479 §3.1 */
  persons: XmlNode[];
  /** `dm:device` elements. @see RFC 4479 §3.3 */
  devices: XmlNode[];
  /** `<note>` children of `<presence>`. */
  notes: XmlNode[];
  /** Any other extension element. */
  extensions: XmlNode[];
}

/** A body that is not a PIDF document; the message says why (it becomes a 400's reason). */
export class InvalidPidf extends Error {}

/**
 * Parses a PIDF document: well-formed XML without a DTD, a `presence` root in the PIDF
 * namespace with an `entity`, tuples with an `id` and a `<status>`.
 * @see RFC 3863 §4.1–§4.2
 */
export function parsePidf(body: string): PidfDocument {
  let root: XmlNode;
  try {
    root = parseXmlRoot(body, 'PIDF document');
  } catch (error) {
    throw new InvalidPidf((error as Error).message);
  }
  const namespaces = declaredNamespaces(attributesOf(root));
  const rootName = splitName(elementName(root) as string);
  if (rootName.local !== 'presence' || namespaces[rootName.prefix] !== PIDF_NS) throw new InvalidPidf(`root element is not <presence> in ${PIDF_NS}`);
  const entity = attributesOf(root).entity;
  if (entity === undefined || entity === '') throw new InvalidPidf('<presence> without an entity');
  const doc: PidfDocument = { entity, namespaces, tuples: [], persons: [], devices: [], notes: [], extensions: [] };
  for (const child of childNodes(root)) {
    const name = elementName(child);
    if (name === null) continue;
    const { prefix, local } = splitName(name);
    const ns = declaredNamespaces(attributesOf(child))[prefix] ?? namespaces[prefix];
    if (ns === PIDF_NS && local === 'tuple') doc.tuples.push(checkedTuple(child, namespaces));
    else if (ns === PIDF_NS && local === 'note') doc.notes.push(child);
    else if (ns === DATA_MODEL_NS && local === 'person') doc.persons.push(child);
    else if (ns === DATA_MODEL_NS && local === 'device') doc.devices.push(child);
    else doc.extensions.push(child);
  }
  return doc;
}

/** `xmlns` and `xmlns:p` attributes as prefix → URI. */
export function declaredNamespaces(attributes: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'xmlns') out[''] = value;
    else if (name.startsWith('xmlns:')) out[name.slice(6)] = value;
  }
  return out;
}

/** The same URI as an AoR `sip:user@host`: `pres:`, `sip:` or `sips:`, parameters ignored, host in any case. */
export function entityMatches(entity: string, aor: string): boolean {
  const m = /^(?:pres|sips?):([^;?>]+)/i.exec(entity.trim());
  if (m === null) return false;
  const given = m[1];
  const at = given.lastIndexOf('@');
  const wanted = aor.slice(aor.indexOf(':') + 1);
  const wantedAt = wanted.lastIndexOf('@');
  return at > 0 && given.slice(0, at) === wanted.slice(0, wantedAt) && given.slice(at + 1).replace(/:\d+$/, '').toLowerCase() === wanted.slice(wantedAt + 1);
}

function checkedTuple(tuple: XmlNode, namespaces: Record<string, string>): XmlNode {
  const id = attributesOf(tuple).id;
  if (id === undefined || id === '') throw new InvalidPidf('<tuple> without an id');
  const hasStatus = childNodes(tuple).some((c) => {
    const name = elementName(c);
    if (name === null) return false;
    const { prefix, local } = splitName(name);
    return local === 'status' && namespaces[prefix] === PIDF_NS;
  });
  if (!hasStatus) throw new InvalidPidf(`<tuple id="${id}"> without a <status>`);
  return tuple;
}
