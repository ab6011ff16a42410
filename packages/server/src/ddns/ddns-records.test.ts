import type { DdnsConfig } from '../config/herald-config.js';
import { serviceUpdate } from './ddns-records.js';

const config = (services: string[]): DdnsConfig => ({
  zone: 'example.test',
  server: { host: '127.0.0.1', port: 53 },
  key: { name: 'k', algorithm: 'hmac-sha256', secret: 'c2VjcmV0' },
  host: 'sip1.example.test',
  ttl: 60,
  records: { address: true, srv: services.map((service) => ({ service, port: 5060, priority: 10, weight: 10 })), naptr: true },
  checkIntervalMs: 60_000,
  withdrawOnShutdown: true,
});

describe('serviceUpdate: the NAPTR records that lead to the node’s SRV names (RFC 3263 §4.1)', () => {
  it('names the NAPTR service of each SRV name the resolver follows, in the order listed, and none for others', () => {
    const naptrs = serviceUpdate(config(['_sips._tcp', '_sip._sctp', '_sip._tcp', '_sip._udp', '_im._sip']))
      ?.updates.flatMap((u) => (u.kind === 'add' && u.record.type === 'NAPTR' ? [[u.record.service, u.record.replacement, u.record.preference]] : []));
    expect(naptrs).toEqual([
      ['SIPS+D2T', '_sips._tcp.example.test', 10],
      ['SIP+D2T', '_sip._tcp.example.test', 20],
      ['SIP+D2U', '_sip._udp.example.test', 30],
    ]);
  });
});
