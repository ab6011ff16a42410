/** The parts of a multipart/related body, each with its headers and body. @see RFC 2387 */
export function parts(contentType: string, body: string): Array<{ headers: Record<string, string>; body: string }> {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) throw new Error(`no boundary in ${contentType}`);
  return body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((chunk) => {
      const text = chunk.replace(/^\r\n/, '').replace(/\r\n$/, '');
      const split = text.indexOf('\r\n\r\n');
      const headers: Record<string, string> = {};
      for (const line of text.slice(0, split).split('\r\n')) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
      return { headers, body: text.slice(split + 4) };
    });
}

/** A resource list of `uris` (RFC 4826 §3), as a SUBSCRIBE body or a stored list. */
export function resourceList(uris: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list>${uris.map((u) => `<entry uri="${u}"/>`).join('')}</list></resource-lists>`;
}
