import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, problem, reject, scratch, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTAxMjM=';
const BASE = 'zone: example.test, server: "127.0.0.1:5353", key: { name: herald-ddns, secretFile: ddns.key }, host: sip1';

function writeKey(text = `key "herald-ddns" {\n\talgorithm hmac-sha256;\n\tsecret "${SECRET}";\n};\n`): void {
  writeFileSync(join(scratch.dir, 'ddns.key'), text);
}

describe('ddns', () => {
  it('reads a node that publishes its address and SRV records, with the defaults filled in', () => {
    writeKey();
    const ddns = parse(`ddns: { ${BASE}, address: 192.0.2.10, records: { srv: [{ service: _sip._udp, port: 5060 }, { service: _SIP._tcp, port: 5060, priority: 20, weight: 5 }], naptr: true } }`).ddns;
    expect(ddns).toEqual({
      zone: 'example.test',
      server: { host: '127.0.0.1', port: 5353 },
      key: { name: 'herald-ddns', algorithm: 'hmac-sha256', secret: SECRET },
      host: 'sip1.example.test',
      address: { kind: 'static', addresses: ['192.0.2.10'] },
      ttl: 60,
      records: {
        address: true,
        srv: [
          { service: '_sip._udp', port: 5060, priority: 10, weight: 10 },
          { service: '_sip._tcp', port: 5060, priority: 20, weight: 5 },
        ],
        naptr: true,
      },
      checkIntervalMs: 60_000,
      withdrawOnShutdown: true,
    });
    expect(parse('domains: [example.test]').ddns).toBeUndefined();
  });

  it('takes a secret file with the base64 secret alone, a host already inside the zone, addresses of both families or an interface', () => {
    writeKey(`${SECRET}\n`);
    const ddns = parse(`ddns: { zone: Example.Test., server: "[::1]:53", key: { name: herald-ddns, secretFile: ddns.key }, host: sip1.example.test, address: [192.0.2.10, "2001:DB8::10"], ttl: 30, checkInterval: 5, withdrawOnShutdown: false }`).ddns;
    expect(ddns).toMatchObject({ zone: 'example.test', server: { host: '::1', port: 53 }, host: 'sip1.example.test', address: { kind: 'static', addresses: ['192.0.2.10', '2001:db8::10'] }, ttl: 30, checkIntervalMs: 5000, withdrawOnShutdown: false });
    expect(ddns?.key.secret).toBe(SECRET);
    expect(parse(`ddns: { ${BASE}, interface: eth0 }`).ddns?.address).toEqual({ kind: 'interface', name: 'eth0' });
    expect(parse(`ddns: { ${BASE}, records: { address: false } }`).ddns?.address).toBeUndefined();
  });

  it('says which key is missing and how to write it', () => {
    writeKey();
    expect(reject('ddns: { host: sip1 }').errors.map((e) => e.key)).toEqual(['ddns.zone', 'ddns.server', 'ddns.key', 'ddns.address']);
    expect(problem(`ddns: { ${BASE} }`, 'ddns.address')).toMatch(/address: 192\.0\.2\.10.*interface: eth0.*records: \{ address: false \}/);
    expect(problem(`ddns: { ${BASE}, address: 192.0.2.10, interface: eth0 }`, 'ddns.interface')).toMatch(/cannot be given with ddns.address/);
    expect(problem(`ddns: { ${BASE}, address: sip1.example.test }`, 'ddns.address')).toMatch(/is not an IPv4 or IPv6 address/);
    expect(problem(`ddns: { ${BASE.replace('"127.0.0.1:5353"', 'ns1.example.test')}, address: 192.0.2.10 }`, 'ddns.server')).toMatch(/"ns1.example.test" is not address:port.*a name would need DNS to find DNS/);
    expect(parse(`ddns: { ${BASE.replace('"127.0.0.1:5353"', '192.0.2.53')}, address: 192.0.2.10 }`).ddns?.server).toEqual({ host: '192.0.2.53', port: 53 });
    expect(problem(`ddns: { ${BASE}, address: 192.0.2.10, records: { srv: [{ service: sip, port: 5060 }] } }`, 'ddns.records.srv[0].service')).toMatch(/_service\._proto/);
    expect(problem(`ddns: { ${BASE}, address: 192.0.2.10, records: { srv: [{ service: _sip._udp }] } }`, 'ddns.records.srv[0].port')).toMatch(/is required/);
    expect(problem(`ddns: { ${BASE.replace('secretFile: ddns.key', 'secretFile: ddns.key, algorithm: hmac-md5')}, address: 192.0.2.10 }`, 'ddns.key.algorithm')).toMatch(/hmac-sha256/);
    expect(problem(`ddns: { ${BASE}, address: 192.0.2.10, ttl: 0 }`, 'ddns.ttl')).toMatch(/out of range/);
    expect(problem(`ddns: { ${BASE}, address: 192.0.2.10, zones: example.test }`, 'ddns.zones')).toMatch(/did you mean `zone`/);
  });

  it('reads the secret file at load: a missing, foreign or malformed key file is a config error', () => {
    expect(problem(`ddns: { ${BASE}, address: 192.0.2.10 }`, 'ddns.key.secretFile')).toMatch(/cannot read .*ddns\.key \(no such file\).*tsig-keygen -a hmac-sha256 herald-ddns/);
    writeKey(`key "other-key" { algorithm hmac-sha256; secret "${SECRET}"; };`);
    expect(problem(`ddns: { ${BASE}, address: 192.0.2.10 }`, 'ddns.key.secretFile')).toMatch(/holds the key "other-key", not "herald-ddns"/);
    writeKey('not base64!');
    expect(problem(`ddns: { ${BASE}, address: 192.0.2.10 }`, 'ddns.key.secretFile')).toMatch(/does not hold a base64 secret/);
  });
});
