import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * One node of fast-xml-parser's ordered tree: an element `{ [name]: children, ':@': attributes }`,
 * a text node `{ '#text': text }` or a CDATA section. Element names keep their prefixes as
 * written, so an element copied from a published document serialises as it was published.
 */
export type XmlNode = Record<string, unknown>;

const ATTRIBUTES = ':@';
const TEXT = '#text';
const CDATA = '#cdata';

const OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  cdataPropName: CDATA,
  ignoreDeclaration: true,
  ignorePiTags: true,
} as const;

const parser = new XMLParser(OPTIONS);
const builder = new XMLBuilder({ ...OPTIONS, suppressEmptyNode: true });

/** The top-level nodes of a well-formed document; throws an `Error` whose message says what is wrong. */
export function parseXml(text: string): XmlNode[] {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`${valid.err.msg} (line ${valid.err.line})`);
  return parser.parse(text) as XmlNode[];
}

/**
 * The root element of a document of the kind `what` ("PIDF document"): well-formed, one
 * root, no DTD (none of the formats Herald reads has one, and refusing it refuses
 * entity-expansion bombs). Throws an `Error` whose message says what is wrong.
 */
export function parseXmlRoot(text: string, what: string): XmlNode {
  if (/<!DOCTYPE/i.test(text)) throw new Error(`${what} with a DOCTYPE`);
  let nodes: XmlNode[];
  try {
    nodes = parseXml(text);
  } catch (error) {
    throw new Error(`malformed XML: ${(error as Error).message}`, { cause: error });
  }
  const roots = nodes.filter((n) => elementName(n) !== null);
  if (roots.length !== 1) throw new Error(`${what} without one root element`);
  return roots[0];
}

export function buildXml(nodes: readonly XmlNode[]): string {
  return builder.build(nodes);
}

/** A whole document: the XML declaration, a DOCTYPE line when given, then `root`. */
export function xmlDocument(root: XmlNode, doctype?: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${doctype === undefined ? '' : `${doctype}\n`}${buildXml([root])}`;
}

/** A short id that is the same for the same text (FNV-1a), for ids that must not reveal what they stand for or change between documents. */
export function stableId(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16);
}

/** The element's name as written (`dm:person`), or `null` for a text or CDATA node. */
export function elementName(node: XmlNode): string | null {
  for (const key in node) if (key !== ATTRIBUTES && key !== TEXT && key !== CDATA) return key;
  return null;
}

export function childNodes(node: XmlNode): XmlNode[] {
  const name = elementName(node);
  return name === null ? [] : (node[name] as XmlNode[]);
}

export function attributesOf(node: XmlNode): Record<string, string> {
  return (node[ATTRIBUTES] as Record<string, string> | undefined) ?? {};
}

/** The text directly inside an element, trimmed. */
export function textOf(node: XmlNode): string {
  let text = '';
  for (const child of childNodes(node)) if (TEXT in child) text += String(child[TEXT]);
  return text.trim();
}

export function element(name: string, attributes: Record<string, string>, children: XmlNode[]): XmlNode {
  const node: XmlNode = { [name]: children };
  if (Object.keys(attributes).length > 0) node[ATTRIBUTES] = attributes;
  return node;
}

export function text(value: string): XmlNode {
  return { [TEXT]: value };
}

/** A copy of `node` with `extra` attributes added (namespace declarations it needs where it goes). */
export function withAttributes(node: XmlNode, extra: Record<string, string>): XmlNode {
  if (Object.keys(extra).length === 0) return node;
  return { ...node, [ATTRIBUTES]: { ...attributesOf(node), ...extra } };
}

/** The prefix of a qualified name (`dm` of `dm:person`, `''` for none) and its local part. */
export function splitName(name: string): { prefix: string; local: string } {
  const colon = name.indexOf(':');
  return colon < 0 ? { prefix: '', local: name } : { prefix: name.slice(0, colon), local: name.slice(colon + 1) };
}
