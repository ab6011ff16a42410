import { randomHex } from '@herald/sip';
import { element, xmlDocument } from '../pidf/xml-tree.js';

export const RLMI = 'application/rlmi+xml';

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
