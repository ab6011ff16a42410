import { randomHex } from '@herald/sip';
import { type XmlNode, attributesOf, childNodes, element, elementName, parseXmlRoot, splitName, xmlDocument } from './pidf/xml-tree.js';

export const RESOURCE_LISTS = 'application/resource-lists+xml';
export const RLMI = 'application/rlmi+xml';

/** A resource-lists body that cannot be a list; the message says why (a 400's reason). */
export class InvalidResourceList extends Error {}

/**
 * The entry URIs of an RFC 4826 `resource-lists` document, nested lists flattened, each
 * once, in document order. `entry-ref` and `external` (references to stored lists) are
 * not followed.
 * @see RFC 4826 §3.2, RFC 5367 §4
 */
export function parseResourceList(body: string): string[] {
  let root: XmlNode;
  try {
    root = parseXmlRoot(body, 'resource list');
  } catch (error) {
    throw new InvalidResourceList((error as Error).message);
  }
  if (splitName(elementName(root) as string).local !== 'resource-lists') throw new InvalidResourceList('root element is not <resource-lists>');
  const uris: string[] = [];
  const walk = (node: XmlNode) => {
    for (const child of childNodes(node)) {
      const name = elementName(child);
      if (name === null) continue;
      const local = splitName(name).local;
      if (local === 'list') walk(child);
      else if (local === 'entry') {
        const uri = attributesOf(child).uri;
        if (uri !== undefined && uri !== '' && !uris.includes(uri)) uris.push(uri);
      }
    }
  };
  walk(root);
  return uris;
}

/** One resource of a list NOTIFY, and its document when it has one to show. @see RFC 4662 §5.2 */
export interface ListMember {
  uri: string;
  state: 'active' | 'pending' | 'terminated';
  /** For `terminated`: why. */
  reason?: string;
  part: { contentType: string; body: string } | null;
}

/**
 * A list NOTIFY body: `multipart/related` with the RLMI document first and one part per
 * member that has a state to show, referenced by Content-ID.
 * @see RFC 4662 §5, RFC 2387
 */
export function listNotifyBody(listUri: string, version: number, fullState: boolean, members: readonly ListMember[], host: string): { contentType: string; body: string } {
  const boundary = `herald-${randomHex(8)}`;
  const parts: string[] = [];
  const resources = members.map((m, i) => {
    const id = `r${i}`;
    const instance: Record<string, string> = { id, state: m.state };
    if (m.reason !== undefined) instance.reason = m.reason;
    if (m.part !== null) {
      const cid = `${randomHex(6)}@${host}`;
      instance.cid = cid;
      parts.push(part({ 'Content-Transfer-Encoding': 'binary', 'Content-ID': `<${cid}>`, 'Content-Type': m.part.contentType }, m.part.body));
    }
    return element('resource', { uri: m.uri }, [element('instance', instance, [])]);
  });
  const rlmi = xmlDocument(element('list', { xmlns: 'urn:ietf:params:xml:ns:rlmi', uri: listUri, version: String(version), fullState: String(fullState) }, resources));
  const rootCid = `${randomHex(6)}@${host}`;
  const all = [part({ 'Content-Transfer-Encoding': 'binary', 'Content-ID': `<${rootCid}>`, 'Content-Type': RLMI }, rlmi), ...parts];
  return {
    contentType: `multipart/related;type="${RLMI}";start="<${rootCid}>";boundary="${boundary}"`,
    body: `--${boundary}\r\n${all.join(`\r\n--${boundary}\r\n`)}\r\n--${boundary}--\r\n`,
  };
}

function part(headers: Record<string, string>, body: string): string {
  return `${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`;
}
