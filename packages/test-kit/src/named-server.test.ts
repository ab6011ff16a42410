import { makeTsigKey, startNamed } from './named-server.js';

describe('startNamed: a real BIND named for DNS tests', () => {
  it('serves the zones it was given and reloads a changed zone', async () => {
    const named = await startNamed([
      { origin: 'example.test', records: ['_sip._udp 60 IN SRV 10 60 5060 sip1', 'sip1 IN A 127.0.0.2'] },
      { origin: 'dyn.test', records: [], updateKey: makeTsigKey() },
    ]);
    try {
      expect(await named.dig('_sip._udp.example.test', 'SRV')).toEqual(['10 60 5060 sip1.example.test.']);
      expect(await named.dig('sip1.example.test', 'A')).toEqual(['127.0.0.2']);
      await named.setZone({ origin: 'example.test', records: ['sip1 IN A 127.0.0.3'] });
      expect(await named.dig('sip1.example.test', 'A')).toEqual(['127.0.0.3']);
      expect(await named.dig('_sip._udp.example.test', 'SRV')).toEqual([]);
      await expect(named.setZone({ origin: 'dyn.test', records: [] })).rejects.toThrow(/takes updates/);
    } finally {
      await named.stop();
    }
  });
});
