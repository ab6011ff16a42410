import { type XmlNode, attributesOf, childNodes, elementName, parseXmlRoot, splitName } from '../pidf/xml-tree.js';

export const RESOURCE_LISTS = 'application/resource-lists+xml';

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
