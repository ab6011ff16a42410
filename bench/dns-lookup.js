// DNS resolution: µs per look-up through @herald/stack's DnsClient, answered from its cache
// and asked of a local BIND named each time (the cache off), next to Node's own c-ares
// resolver on the same server (c-ares ≥ 1.23 keeps a query cache of its own, on by default,
// so after the first question its rows are its cache through Node's binding). Starts its
// own named on a free 127.0.0.1 port.
//
//   node bench/dns-lookup.js [--quick]
//
// Needs the workspace built (`npm run build`) and `named` on the PATH (Debian bind9).
import { Resolver } from 'node:dns/promises';
import { startNamed } from './lib/named.js';

const quick = process.argv.includes('--quick');
const { DnsClient, SipResolver } = await import('../packages/stack/dist/index.js').catch(() => {
  console.error('packages/stack/dist is missing: run `npm run build` first');
  process.exit(2);
});

const ZONE = [
  '$ORIGIN bench.test.',
  '$TTL 3600',
  '@ IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 60',
  '@ IN NS ns.bench.test.',
  'ns IN A 127.0.0.1',
  '@ IN NAPTR 10 50 "s" "SIP+D2U" "" _sip._udp',
  '_sip._udp IN SRV 10 60 5060 sip1',
  '_sip._udp IN SRV 20 40 5060 sip2',
  'sip1 IN A 127.0.0.2',
  'sip1 IN AAAA 2001:db8::2',
  'sip2 IN A 127.0.0.3',
  '',
].join('\n');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median over rounds of µs per call, calls one after another (each awaited). */
async function measure(fn, { rounds, iterations }) {
  for (let i = 0; i < Math.min(iterations, 500); i++) await fn();
  const times = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1000 / iterations);
  }
  return median(times);
}

const named = await startNamed({ 'bench.test': ZONE });
try {
  const cached = new DnsClient({ servers: [named.server] });
  const uncached = new DnsClient({ servers: [named.server], cacheMaxTtl: 0, negativeTtlMax: 0 });
  const cares = new Resolver({ timeout: 2000, tries: 1 });
  cares.setServers([named.server]);

  const { parseUri } = await import('../packages/sip/dist/index.js');
  const uri = parseUri('sip:bob@bench.test');
  const resolvers = { cached: new SipResolver({ dns: cached }), uncached: new SipResolver({ dns: uncached }) };
  const hot = { rounds: quick ? 3 : 7, iterations: quick ? 20_000 : 100_000 };
  const cold = { rounds: quick ? 3 : 7, iterations: quick ? 300 : 2_000 };
  const rows = [
    ['DnsClient, cached', 'SRV', await measure(() => cached.srv('_sip._udp.bench.test'), hot)],
    ['DnsClient, cached', 'NAPTR', await measure(() => cached.naptr('bench.test'), hot)],
    ['DnsClient, cached', 'A + AAAA (addresses)', await measure(() => cached.addresses('sip1.bench.test'), hot)],
    ['DnsClient, uncached (UDP to named)', 'SRV', await measure(() => uncached.srv('_sip._udp.bench.test'), cold)],
    ['DnsClient, uncached (UDP to named)', 'A', await measure(() => uncached.query('sip1.bench.test', 'A'), cold)],
    ['DnsClient, uncached (UDP to named)', 'A + AAAA (addresses)', await measure(() => uncached.addresses('sip1.bench.test'), cold)],
    ['SipResolver.resolveUri, cached', 'sip:bob@bench.test (NAPTR → SRV → A/AAAA of 2 targets)', await measure(() => resolvers.cached.resolveUri(uri), hot)],
    ['SipResolver.resolveUri, uncached (UDP to named)', 'sip:bob@bench.test (NAPTR → SRV → A/AAAA of 2 targets)', await measure(() => resolvers.uncached.resolveUri(uri), cold)],
    ['node:dns Resolver (c-ares 1.34, answers from its own cache, no TTLs given)', 'SRV', await measure(() => cares.resolveSrv('_sip._udp.bench.test'), cold)],
    ['node:dns Resolver (c-ares 1.34, answers from its own cache, no TTLs given)', 'A', await measure(() => cares.resolve4('sip1.bench.test'), cold)],
  ];
  const naptrSrvA = rows[1][2] + rows[0][2] + rows[2][2];
  console.log(`\nDNS resolution, µs per look-up (median of ${hot.rounds} rounds; ${hot.iterations} cached / ${cold.iterations} uncached look-ups a round, one at a time)\n`);
  console.log('| client | question | µs per look-up |');
  console.log('| --- | --- | --- |');
  for (const [client, question, us] of rows) console.log(`| ${client} | ${question} | ${us.toFixed(us < 10 ? 2 : 0)} |`);
  console.log(`\nA whole RFC 3263 resolution from the cache (NAPTR + SRV + A/AAAA): ${naptrSrvA.toFixed(2)} µs`);
} finally {
  await named.stop();
}
