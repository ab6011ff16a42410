import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHostsFile, readHostsFile } from './hosts-file.js';

describe('hosts(5) file', () => {
  it('maps every name and alias of a line to its address, case-folded, comments and junk skipped', () => {
    const hosts = parseHostsFile(['127.0.0.1\tlocalhost', '# 10.0.0.9 commented.lab', '10.0.0.5  Proxy.Lab.  proxy # the lab proxy', 'fe80::1%eth0 link.lab', 'not-an-address broken.lab', '', '10.0.0.6 proxy.lab', '::1 proxy.lab'].join('\n'));
    expect(hosts.get('proxy.lab')).toEqual(['10.0.0.5', '10.0.0.6', '::1']);
    expect(hosts.get('proxy')).toEqual(['10.0.0.5']);
    expect(hosts.get('link.lab')).toEqual(['fe80::1%eth0']);
    expect(hosts.has('commented.lab')).toBe(false);
    expect(hosts.has('broken.lab')).toBe(false);
  });

  it('reads a file, and is empty for one that cannot be read', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'herald-hosts-')), 'hosts');
    writeFileSync(file, '192.0.2.7 gw.example\n');
    expect(readHostsFile(file).get('gw.example')).toEqual(['192.0.2.7']);
    expect(readHostsFile(join(file, 'missing')).size).toBe(0);
  });
});
