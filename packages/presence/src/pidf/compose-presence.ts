import { PIDF_NS, type PidfDocument, declaredNamespaces } from './pidf-document.js';
import { type XmlNode, attributesOf, childNodes, element, elementName, splitName, text, textOf, withAttributes } from './xml-tree.js';

const RPID_NS = 'urn:ietf:params:xml:ns:pidf:rpid';

/** The state watchers of a presentity see, ready to be written in any format. */
export interface ComposedPresence {
  /** The presentity's AoR (`sip:alice@example.com`). */
  entity: string;
  /** The namespace declarations of the composed `<presence>`: PIDF as the default, then those the publications used. */
  namespaces: Record<string, string>;
  /** Tuples, devices, the person, notes and extensions, each as published. */
  elements: XmlNode[];
  /** Some tuple's `<basic>` is `open`. */
  open: boolean;
  /** The person's RPID activities (`away`, `busy`, `on-the-phone`...). @see RFC 4480 §3.2 */
  activities: string[];
  /** Made by `basicPresence`: the same document for the same entity and `open`. */
  basic?: true;
}

/**
 * Composes the publications of one presentity (oldest first): every tuple and device (a
 * later publication's wins on the same id), the most recent publication's person, notes and
 * extensions. Elements keep their prefixes; one whose prefixes the composed root binds
 * otherwise carries its own declarations. A `<status>` without `<basic>` gets `open`.
 * @see RFC 3863 §4.1.4, RFC 4479 §3, RFC 3903 §4 (one publication per user agent)
 */
export function composePresence(entity: string, documents: readonly PidfDocument[]): ComposedPresence {
  const namespaces: Record<string, string> = { '': PIDF_NS };
  for (let i = documents.length - 1; i >= 0; i--) {
    for (const [prefix, uri] of Object.entries((documents[i]).namespaces)) namespaces[prefix] ??= uri;
  }
  const tuples = new Map<string, XmlNode>();
  const devices = new Map<string, XmlNode>();
  let newest: { persons: XmlNode[]; notes: XmlNode[]; extensions: XmlNode[] } = { persons: [], notes: [], extensions: [] };
  let personNamespaces: Record<string, string> = {};
  for (const doc of documents) {
    const placed = (node: XmlNode) => withAttributes(node, declarationsNeeded(doc.namespaces, namespaces));
    for (const t of doc.tuples) byId(tuples, withBasic(placed(t), { ...doc.namespaces, ...declaredNamespaces(attributesOf(t)) }));
    for (const d of doc.devices) byId(devices, placed(d));
    if (doc.persons.length > 0) {
      personNamespaces = doc.namespaces;
      newest = { ...newest, persons: doc.persons.map(placed) };
    }
    if (doc.notes.length > 0) newest = { ...newest, notes: doc.notes.map(placed) };
    if (doc.extensions.length > 0) newest = { ...newest, extensions: doc.extensions.map(placed) };
  }
  const tupleList = [...tuples.values()];
  return {
    entity,
    namespaces,
    elements: [...tupleList, ...devices.values(), ...newest.persons, ...newest.notes, ...newest.extensions],
    open: tupleList.some((t) => basicOf(t, namespaces) === 'open'),
    activities: newest.persons.flatMap((p) => activitiesOf(p, personNamespaces)),
  };
}

/**
 * The state of a presentity that publishes nothing: one tuple, `open` while it has a
 * registered contact (or `closed`), with the presentity's own AoR as `<contact>`.
 */
export function basicPresence(entity: string, open: boolean): ComposedPresence {
  return new BasicPresence(entity, open);
}

const PIDF_ONLY: Readonly<Record<string, string>> = Object.freeze({ '': PIDF_NS });
const NO_ACTIVITIES: readonly string[] = Object.freeze([]);

/** What `basicPresence` gives: its element tree is built only when a document is written from it (most are cached). */
class BasicPresence implements ComposedPresence {
  readonly basic = true;
  readonly namespaces = PIDF_ONLY as Record<string, string>;
  readonly activities = NO_ACTIVITIES as string[];

  constructor(
    readonly entity: string,
    readonly open: boolean,
  ) {}

  get elements(): XmlNode[] {
    const status = element('status', {}, [element('basic', {}, [text(this.open ? 'open' : 'closed')])]);
    return [element('tuple', { id: 'herald' }, [status, element('contact', {}, [text(this.entity)])])];
  }
}

function byId(map: Map<string, XmlNode>, node: XmlNode): void {
  const id = attributesOf(node).id ?? '';
  map.delete(id);
  map.set(id, node);
}

/** Declarations `node` from a document with `own` bindings needs under a root that binds `root`. */
function declarationsNeeded(own: Record<string, string>, root: Record<string, string>): Record<string, string> {
  const extra: Record<string, string> = {};
  for (const [prefix, uri] of Object.entries(own)) if (root[prefix] !== uri) extra[prefix === '' ? 'xmlns' : `xmlns:${prefix}`] = uri;
  return extra;
}

/** Children of `node` whose name resolves to `local` in `ns`. */
function childrenNamed(node: XmlNode, ns: string, local: string, namespaces: Record<string, string>): XmlNode[] {
  const scope = { ...namespaces, ...declaredNamespaces(attributesOf(node)) };
  return childNodes(node).filter((c) => {
    const name = elementName(c);
    if (name === null) return false;
    const split = splitName(name);
    return split.local === local && ({ ...scope, ...declaredNamespaces(attributesOf(c)) })[split.prefix] === ns;
  });
}

function basicOf(tuple: XmlNode, namespaces: Record<string, string>): string | null {
  const scope = { ...namespaces, ...declaredNamespaces(attributesOf(tuple)) };
  const status = childrenNamed(tuple, PIDF_NS, 'status', scope)[0];
  const basic = status && childrenNamed(status, PIDF_NS, 'basic', scope)[0];
  return basic ? textOf(basic) : null;
}

/** The tuple with `<basic>open</basic>` added to a `<status>` that has none. */
function withBasic(tuple: XmlNode, namespaces: Record<string, string>): XmlNode {
  const status = childrenNamed(tuple, PIDF_NS, 'status', namespaces)[0];
  if (status === undefined || childrenNamed(status, PIDF_NS, 'basic', namespaces).length > 0) return tuple;
  const statusName = elementName(status) as string;
  const { prefix } = splitName(statusName);
  const basic = element(prefix === '' ? 'basic' : `${prefix}:basic`, {}, [text('open')]);
  const fixedStatus = { ...status, [statusName]: [basic, ...childNodes(status)] };
  const tupleName = elementName(tuple) as string;
  return { ...tuple, [tupleName]: childNodes(tuple).map((c) => (c === status ? fixedStatus : c)) };
}

function activitiesOf(person: XmlNode, namespaces: Record<string, string>): string[] {
  const out: string[] = [];
  for (const activities of childrenNamed(person, RPID_NS, 'activities', namespaces)) {
    for (const a of childNodes(activities)) {
      const name = elementName(a);
      if (name !== null) out.push(splitName(name).local);
    }
  }
  return out;
}

