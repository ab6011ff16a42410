import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SHA256_USER_AGENTS } from '@herald/auth';
import { defaultMaxConnections } from '@herald/stack';
import { defaultConfig } from './load-config.js';
import { parse, problem, reject, scratch, useScratchDir, writeTlsFiles } from '../../test/helpers/config-fixture.js';

useScratchDir();

describe('defaults', () => {
  it('fills every key of an empty file', () => {
    expect(parse('')).toEqual({
      source: scratch.file,
      domains: ['localhost'],
      listen: [
        { transport: 'udp', host: '127.0.0.1', port: 5060, uri: 'udp://127.0.0.1:5060' },
        { transport: 'tcp', host: '127.0.0.1', port: 5060, uri: 'tcp://127.0.0.1:5060' },
      ],
      store: { kind: 'embedded' },
      dataDir: join(scratch.dir, 'data'),
      log: { level: 'info', format: 'auto' },
      sip: {
        timers: { t1: 500, t2: 4000, t4: 5000 },
        limits: {
          maxMessageSize: 65535,
          maxHeaderSize: 16384,
          maxBodySize: 65535,
          maxConnectionsPerSource: 64,
          maxConnections: defaultMaxConnections(),
          idleTimeoutMs: 600_000,
          messageTimeoutMs: 20_000,
        },
        maxTransactions: 100_000,
        requestBudget: { requestsPerSecond: 500, burst: 1000, exempt: [] },
        userAgent: 'Herald',
      },
      users: [],
      auth: {
        enabled: true,
        nonceLifetimeMs: 300_000,
        algorithms: ['SHA-256', 'MD5'],
        checkDigestUri: true,
        sha256UserAgents: [...DEFAULT_SHA256_USER_AGENTS],
        sha256Domains: [],
        md5OnlyUserAgents: [],
        limits: { maxFailuresPerSource: 50, maxFailuresPerUser: 10, windowMs: 300_000, slowAfter: 3, slowDelayMs: 500 },
      },
      registrar: { defaultExpires: 3600, minExpires: 60, maxExpires: 86400, maxContacts: 10 },
      proxy: { inviteTimeoutMs: 181_000 },
      dns: { servers: [], timeoutMs: 2000, attempts: 2, cacheMaxTtl: 3600, negativeTtlMax: 300, cacheSize: 10_000, failedTargetMs: 60_000 },
      im: { maxBodySize: 65535, udpMessageLimit: 1300, storeForMs: 604_800_000, maxStoredPerUser: 1000, maxStoredPerSender: 100, maxStoredPerForeignDomain: 300 },
      presence: {
        defaultExpires: 3600,
        minExpires: 60,
        maxExpires: 7200,
        notifyWindowMs: 5000,
        fromRegistration: true,
        watchers: { local: 'allow', foreign: 'confirm' },
        domainWatchers: {},
        strangers: { maxWatchersPerPresentity: 1000, maxSubscriptionsPerWatcherDomain: 1000, maxSubscriptionsPerSource: 500, maxForeignPendingExpires: 600 },
      },
      routes: [],
      enum: { suffixes: ['e164.arpa'] },
      federation: { default: 'verified', allow: [], block: [], features: ['messages', 'presence', 'calls', 'fileTransfer'], peers: [] },
      communities: { enabled: true, list: [] },
      workers: 1,
    });
  });

  it('treats an empty section as absent', () => {
    expect(parse('log:\nsip:\n').log).toEqual({ level: 'info', format: 'auto' });
  });

  it('puts dataDir under the working directory without a file', () => {
    const config = defaultConfig();
    expect(config.dataDir).toBe(join(process.cwd(), 'data'));
    expect(config.source).toBeUndefined();
  });

  it('derives sip.maxBodySize from sip.maxMessageSize', () => {
    expect(parse('sip: { maxMessageSize: 100000 }').sip.limits.maxBodySize).toBe(100000);
  });
});

describe('a full configuration', () => {
  it('reads every key', () => {
    writeTlsFiles();
    const config = parse(`
domains: [Example.COM, 192.0.2.10, "[2001:db8::1]"]
listen:
  - udp://0.0.0.0:5060
  - tcp://[::]:5060
  - tls://0.0.0.0
  - ws://0.0.0.0:8080/sip
  - wss://sip.example.com:0
tls: { cert: certs/cert.pem, key: certs/key.pem, requestCert: true }
store: redis://:secret@redis.internal:6379/2
dataDir: /var/lib/herald
log: { level: debug, format: pretty }
sip:
  t1: 250
  t2: 4000
  t4: 5000
  maxMessageSize: 100000
  maxHeaderSize: 8192
  maxBodySize: 50000
  maxConnectionsPerSource: 10
  maxConnections: 5000
  idleConnectionTimeout: 120
  messageTimeout: 10
  maxTransactions: 20000
  rateLimit: { requestsPerSecond: 50, burst: 200, exempt: [192.0.2.20, "2001:db8::20"] }
  userAgent: Herald/1.0 (example.com)
`);
    expect(config.domains).toEqual(['example.com', '192.0.2.10', '[2001:db8::1]']);
    expect(config.listen).toEqual([
      { transport: 'udp', host: '0.0.0.0', port: 5060, uri: 'udp://0.0.0.0:5060' },
      { transport: 'tcp', host: '::', port: 5060, uri: 'tcp://[::]:5060' },
      { transport: 'tls', host: '0.0.0.0', port: 5061, uri: 'tls://0.0.0.0:5061' },
      { transport: 'ws', host: '0.0.0.0', port: 8080, path: '/sip', uri: 'ws://0.0.0.0:8080/sip' },
      { transport: 'wss', host: 'sip.example.com', port: 0, path: '/', uri: 'wss://sip.example.com:0/' },
    ]);
    expect(config.tls).toEqual({ cert: join(scratch.dir, 'certs/cert.pem'), key: join(scratch.dir, 'certs/key.pem'), systemCa: true, requestCert: true });
    expect(config.store).toEqual({ kind: 'redis', url: 'redis://:secret@redis.internal:6379/2' });
    expect(config.dataDir).toBe('/var/lib/herald');
    expect(config.log).toEqual({ level: 'debug', format: 'pretty' });
    expect(config.sip).toEqual({
      timers: { t1: 250, t2: 4000, t4: 5000 },
      limits: { maxMessageSize: 100000, maxHeaderSize: 8192, maxBodySize: 50000, maxConnectionsPerSource: 10, maxConnections: 5000, idleTimeoutMs: 120_000, messageTimeoutMs: 10_000 },
      maxTransactions: 20000,
      requestBudget: { requestsPerSecond: 50, burst: 200, exempt: ['192.0.2.20', '2001:db8::20'] },
      userAgent: 'Herald/1.0 (example.com)',
    });
  });

  it('uses the default port of each transport', () => {
    writeTlsFiles();
    const config = parse('listen: [udp://h, tcp://h, tls://h, ws://h, wss://h]\ntls: { cert: certs/cert.pem, key: certs/key.pem }');
    expect(config.listen.map((a) => a.port)).toEqual([5060, 5060, 5061, 8080, 8443]);
  });

  it('accepts rediss:// and a Redis URL without a database', () => {
    expect(parse('store: rediss://redis.example.com').store).toEqual({ kind: 'redis', url: 'rediss://redis.example.com' });
  });

  it('drops repeated domains', () => {
    expect(parse('domains: [example.com, EXAMPLE.com]').domains).toEqual(['example.com']);
  });
});

describe('relative paths', () => {
  it('resolves dataDir against the directory of the file', () => {
    expect(parse('dataDir: var/herald').dataDir).toBe(join(scratch.dir, 'var/herald'));
  });

  it('resolves tls paths against the directory of the file', () => {
    writeTlsFiles();
    writeFileSync(join(scratch.dir, 'ca.pem'), '');
    const config = parse('tls: { cert: ./certs/cert.pem, key: certs/../certs/key.pem, ca: ca.pem }');
    expect(config.tls).toEqual({
      cert: join(scratch.dir, 'certs/cert.pem'),
      key: join(scratch.dir, 'certs/key.pem'),
      ca: join(scratch.dir, 'ca.pem'),
      systemCa: true,
      requestCert: false,
    });
  });
});

describe('several problems', () => {
  it('reports all of them, one per line under the file name', () => {
    const error = reject('listen: [udp://0.0.0.0:99999, "tcp//0.0.0.0:5060"]\nlog: { level: loud }\nsip: { t1: fast }\n');
    expect(error.errors.map((e) => e.key)).toEqual(['listen[0]', 'listen[1]', 'log.level', 'sip.t1']);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe(`${scratch.file}: 4 configuration errors:`);
    expect(lines.slice(1)).toEqual(error.errors.map((e) => `  ${e.message}`));
    expect(error.key).toBe('listen[0]');
    expect(error.code).toBe('HERALD_ERR_CONFIG_INVALID');
  });

  it('names the file before a single problem', () => {
    expect(reject('log: { format: xml }').message).toBe(
      `${scratch.file}: log.format: expected one of json, pretty, auto, got "xml"; write e.g. format: json`,
    );
  });
});

describe('dataDir', () => {
  it('must be text', () => {
    expect(problem('dataDir: 5', 'dataDir')).toBe('dataDir: expected text, got 5; put the value in quotes');
    expect(problem('dataDir: ""', 'dataDir')).toBe('dataDir: is empty; give a value, or remove the key to use the default');
  });
});
