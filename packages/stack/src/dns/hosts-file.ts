import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

/**
 * The addresses a hosts file gives each name (lower case, no trailing dot), in the file's
 * order: `address name alias…` per line, `#` to the end of a line a comment.
 * @see hosts(5)
 */
export function parseHostsFile(text: string): Map<string, string[]> {
  const hosts = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (names.length === 0 || isIP(address.replace(/%.*$/, '')) === 0) continue;
    for (const raw of names) {
      const name = raw.toLowerCase().replace(/\.$/, '');
      const known = hosts.get(name);
      if (known === undefined) hosts.set(name, [address]);
      else if (!known.includes(address)) known.push(address);
    }
  }
  return hosts;
}

/** `/etc/hosts` as `parseHostsFile` reads it; empty when the file cannot be read. */
export function readHostsFile(path = '/etc/hosts'): Map<string, string[]> {
  try {
    return parseHostsFile(readFileSync(path, 'utf8'));
  } catch {
    return new Map();
  }
}
