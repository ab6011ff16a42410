import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MD5_ONLY_USER_AGENTS } from '@herald/auth';
import { ConfigError } from './config-error.js';
import { defaultConfig, loadConfig, parseConfig } from './load-config.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'herald-config-'));
  file = join(dir, 'herald.yaml');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function parse(text: string) {
  return parseConfig(text, file);
}

/** Parses `text`, expecting it to fail, and returns the error. */
function reject(text: string): ConfigError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for:\n${text}`);
}

/** Expects exactly one problem, on `key`, and returns its message. */
function problem(text: string, key: string): string {
  const error = reject(text);
  expect(error.errors.map((e) => e.key)).toEqual([key]);
  expect(error.key).toBe(key);
  expect(error.message).toContain(`${key}: `);
  return error.errors[0].message;
}

function writeTlsFiles(): void {
  mkdirSync(join(dir, 'certs'));
  writeFileSync(join(dir, 'certs', 'cert.pem'), '-----BEGIN CERTIFICATE-----\n');
  writeFileSync(join(dir, 'certs', 'key.pem'), '-----BEGIN PRIVATE KEY-----\n');
}

describe('defaults', () => {
  it('fills every key of an empty file', () => {
    expect(parse('')).toEqual({
      source: file,
      domains: ['localhost'],
      listen: [
        { transport: 'udp', host: '127.0.0.1', port: 5060, uri: 'udp://127.0.0.1:5060' },
        { transport: 'tcp', host: '127.0.0.1', port: 5060, uri: 'tcp://127.0.0.1:5060' },
      ],
      store: { kind: 'embedded' },
      dataDir: join(dir, 'data'),
      log: { level: 'info', format: 'json' },
      sip: {
        t1: 500,
        t2: 4000,
        t4: 5000,
        maxMessageSize: 65535,
        maxHeaderSize: 16384,
        maxBodySize: 65535,
        maxConnectionsPerSource: 64,
        idleConnectionTimeout: 600,
        userAgent: 'Herald',
      },
      users: [],
      auth: {
        enabled: true,
        nonceLifetime: 300,
        algorithms: ['SHA-256', 'MD5'],
        checkDigestUri: true,
        md5OnlyUserAgents: [...DEFAULT_MD5_ONLY_USER_AGENTS],
        maxFailuresPerSource: 50,
        maxFailuresPerUser: 10,
        failureWindow: 300,
      },
      registrar: { defaultExpires: 3600, minExpires: 60, maxExpires: 86400, maxContacts: 10 },
      proxy: { inviteTimeout: 181 },
      im: { maxBodySize: 65535, udpMessageLimit: 1300, storeFor: 604800, maxStoredPerUser: 1000 },
      presence: { defaultExpires: 3600, minExpires: 60, maxExpires: 7200, notifyWindow: 5, fromRegistration: true, localWatchers: 'allow', foreignWatchers: 'confirm', domains: [] },
      routes: [],
      workers: 1,
    });
  });

  it('treats an empty section as absent', () => {
    expect(parse('log:\nsip:\n').log).toEqual({ level: 'info', format: 'json' });
  });

  it('puts dataDir under the working directory without a file', () => {
    const config = defaultConfig();
    expect(config.dataDir).toBe(join(process.cwd(), 'data'));
    expect(config.source).toBeUndefined();
  });

  it('derives sip.maxBodySize from sip.maxMessageSize', () => {
    expect(parse('sip: { maxMessageSize: 100000 }').sip.maxBodySize).toBe(100000);
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
  idleConnectionTimeout: 120
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
    expect(config.tls).toEqual({ cert: join(dir, 'certs/cert.pem'), key: join(dir, 'certs/key.pem'), requestCert: true });
    expect(config.store).toEqual({ kind: 'redis', url: 'redis://:secret@redis.internal:6379/2' });
    expect(config.dataDir).toBe('/var/lib/herald');
    expect(config.log).toEqual({ level: 'debug', format: 'pretty' });
    expect(config.sip).toEqual({
      t1: 250,
      t2: 4000,
      t4: 5000,
      maxMessageSize: 100000,
      maxHeaderSize: 8192,
      maxBodySize: 50000,
      maxConnectionsPerSource: 10,
      idleConnectionTimeout: 120,
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
    expect(parse('dataDir: var/herald').dataDir).toBe(join(dir, 'var/herald'));
  });

  it('resolves tls paths against the directory of the file', () => {
    writeTlsFiles();
    writeFileSync(join(dir, 'ca.pem'), '');
    const config = parse('tls: { cert: ./certs/cert.pem, key: certs/../certs/key.pem, ca: ca.pem }');
    expect(config.tls).toEqual({
      cert: join(dir, 'certs/cert.pem'),
      key: join(dir, 'certs/key.pem'),
      ca: join(dir, 'ca.pem'),
      requestCert: false,
    });
  });
});

describe('unknown keys', () => {
  it('suggests the closest key for a typo at the top', () => {
    const message = problem('listens: [udp://0.0.0.0:5060]', 'listens');
    expect(message).toBe('listens: is not a configuration key; did you mean `listen`?');
    expect(reject('listens: []').code).toBe('HERALD_ERR_CONFIG_UNKNOWN_KEY');
  });

  it('suggests a key that differs only in case or by a swap', () => {
    expect(problem('datadir: x', 'datadir')).toContain('did you mean `dataDir`?');
    expect(problem('tsl: {}', 'tsl')).toContain('did you mean `tls`?');
  });

  it('lists the known keys when nothing is close', () => {
    expect(problem('voicemail: {}', 'voicemail')).toContain('remove it; the known keys are domains, listen, tls, store, dataDir, log, sip, users, auth, registrar, proxy, routes, im, presence, workers, admin, redis');
  });

  it('catches a typo in a section', () => {
    expect(problem('log: { levle: debug }', 'log.levle')).toBe('log.levle: is not a key of log; did you mean `level`?');
    expect(problem('sip: { maxMessageSise: 1000 }', 'sip.maxMessageSise')).toContain('did you mean `maxMessageSize`?');
    writeTlsFiles();
    expect(problem('tls: { cert: certs/cert.pem, key: certs/key.pem, certs: x }', 'tls.certs')).toContain('did you mean `cert`?');
  });

  it('offers every key at the same distance', () => {
    expect(problem('sip: { t3: 100 }', 'sip.t3')).toContain('did you mean `t1` or `t2` or `t4`?');
  });
});

describe('several problems', () => {
  it('reports all of them, one per line under the file name', () => {
    const error = reject('listen: [udp://0.0.0.0:99999, "tcp//0.0.0.0:5060"]\nlog: { level: loud }\nsip: { t1: fast }\n');
    expect(error.errors.map((e) => e.key)).toEqual(['listen[0]', 'listen[1]', 'log.level', 'sip.t1']);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe(`${file}: 4 configuration errors:`);
    expect(lines.slice(1)).toEqual(error.errors.map((e) => `  ${e.message}`));
    expect(error.key).toBe('listen[0]');
    expect(error.code).toBe('HERALD_ERR_CONFIG_INVALID');
  });

  it('names the file before a single problem', () => {
    expect(reject('log: { format: xml }').message).toBe(
      `${file}: log.format: expected one of json, pretty, got "xml"; write e.g. format: json`,
    );
  });
});

describe('YAML syntax', () => {
  it('names the file and line', () => {
    const error = reject('domains: [example.com]\nlisten:\n  - udp://0.0.0.0:5060\n - tcp://0.0.0.0:5060\n');
    expect(error.code).toBe('HERALD_ERR_CONFIG_SYNTAX');
    expect(error.key).toBe('');
    expect(error.errors).toHaveLength(1);
    expect(error.message).toMatch(new RegExp(`^${file}: line 4, column 1: .*; fix the YAML there`));
  });

  it('rejects a key given twice', () => {
    const error = reject('log: { level: info }\nlog: { level: debug }\n');
    expect(error.code).toBe('HERALD_ERR_CONFIG_SYNTAX');
    expect(error.message).toContain('line 2, column 1');
  });

  it('rejects an alias without its anchor', () => {
    const error = reject('log: *defaults\n');
    expect(error.code).toBe('HERALD_ERR_CONFIG_SYNTAX');
    expect(error.message).toMatch(new RegExp(`^${file}: .*defaults.*; fix the YAML aliases`));
  });

  it('rejects a file that is not a mapping', () => {
    const error = reject('- udp://0.0.0.0:5060\n');
    expect(error.key).toBe('');
    expect(error.message).toContain('the configuration must be a YAML mapping of keys (domains, listen, ...), got a list; start from the example');
  });
});

describe('domains', () => {
  it('must be a list', () => {
    expect(problem('domains: example.com', 'domains')).toBe(
      'domains: expected a list, got "example.com"; write it as a YAML list, e.g. domains: [example.com]',
    );
  });

  it('must not be empty', () => {
    expect(problem('domains: []', 'domains')).toContain('is empty; list the SIP domains Herald serves');
  });

  it('rejects a scheme or a port', () => {
    expect(problem('domains: [a.org, "sip:example.com"]', 'domains[1]')).toBe(
      'domains[1]: "sip:example.com" is not a domain name or IP address; a domain is a bare host name, without scheme or port; write example.com',
    );
    expect(problem('domains: ["example.com:5060"]', 'domains[0]')).toContain('write example.com');
  });

  it('rejects a bad IPv4 address and a bad name', () => {
    expect(problem('domains: [10.0.0.256]', 'domains[0]')).toContain('write a valid IPv4 address');
    expect(problem('domains: [exa_mple.com]', 'domains[0]')).toContain('write a host name such as example.com');
  });

  it('rejects an entry that is not text', () => {
    expect(problem('domains: [{ name: x }]', 'domains[0]')).toBe('domains[0]: expected text, got a mapping; give a single value');
    expect(problem('domains: [""]', 'domains[0]')).toContain('is empty; give a value');
  });
});

describe('listen', () => {
  it('names the entry and shows the form of a listen URI', () => {
    expect(problem('listen: [udp://0.0.0.0:5060, "tcp//0.0.0.0:5060"]', 'listen[1]')).toBe(
      'listen[1]: "tcp//0.0.0.0:5060" is not a listen URI; write it as tcp://HOST:PORT, e.g. tcp://0.0.0.0:5060',
    );
    expect(problem('listen: ["0.0.0.0:5060"]', 'listen[0]')).toContain(
      'write it as TRANSPORT://HOST:PORT with TRANSPORT one of udp, tcp, tls, ws, wss, e.g. udp://0.0.0.0:5060',
    );
  });

  it('rejects an unknown transport', () => {
    expect(problem('listen: ["sctp://0.0.0.0:5060"]', 'listen[0]')).toBe(
      'listen[0]: "sctp://0.0.0.0:5060": Herald has no "sctp" transport; use one of udp, tcp, tls, ws, wss',
    );
  });

  it('rejects a port out of range or not a number', () => {
    expect(problem('listen: ["udp://0.0.0.0:65536"]', 'listen[0]')).toContain(
      '"65536" is not a port number; use 1 to 65535, or 0 for a free port chosen at start',
    );
    expect(problem('listen: ["udp://0.0.0.0:sip"]', 'listen[0]')).toContain('"sip" is not a port number');
    expect(problem('listen: ["udp://0.0.0.0:"]', 'listen[0]')).toContain('"" is not a port number');
  });

  it('takes IPv6 addresses in brackets only', () => {
    expect(problem('listen: ["udp://::1:5060"]', 'listen[0]')).toContain(
      'an IPv6 address must be in brackets; write it as udp://[ADDRESS]:PORT, e.g. udp://[::1]:5060',
    );
    expect(problem('listen: ["tcp://[::1:5060"]', 'listen[0]')).toContain('has a malformed IPv6 host; write it as tcp://[ADDRESS]:PORT');
    expect(problem('listen: ["tcp://[fe80::1]5060"]', 'listen[0]')).toContain('has a malformed IPv6 host');
    expect(parse('listen: ["udp://[::1]:5062"]').listen[0]).toEqual({ transport: 'udp', host: '::1', port: 5062, uri: 'udp://[::1]:5062' });
  });

  it('requires a host', () => {
    expect(problem('listen: ["udp://:5060"]', 'listen[0]')).toContain(
      'has no host; write udp://0.0.0.0:5060 for every IPv4 address, udp://[::]:5060 for every IPv6 address, or name one address',
    );
  });

  it('rejects a host that is neither an address nor a name', () => {
    expect(problem('listen: ["udp://user@host:5060"]', 'listen[0]')).toContain(
      '"user@host" is not an IP address or host name; write e.g. udp://0.0.0.0:5060',
    );
  });

  it('takes a path on WebSocket listeners only', () => {
    expect(problem('listen: ["tcp://0.0.0.0:5060/sip"]', 'listen[0]')).toContain(
      'only ws:// and wss:// listeners take a path; write tcp://0.0.0.0:5060',
    );
    expect(problem('listen: ["ws://0.0.0.0:8080/sip?x=1"]', 'listen[0]')).toContain(
      'a WebSocket path has no query, fragment or spaces; write e.g. ws://0.0.0.0:8080/sip',
    );
  });

  it('rejects two listeners on one port', () => {
    expect(problem('listen: [tcp://0.0.0.0:5060, ws://0.0.0.0:5060]', 'listen[1]')).toBe(
      'listen[1]: "ws://0.0.0.0:5060/" takes the same TCP port as listen[0] ("tcp://0.0.0.0:5060"); remove one, or give each its own port',
    );
    expect(problem('listen: [udp://0.0.0.0:5060, udp://0.0.0.0:5060]', 'listen[1]')).toContain('same UDP port');
  });

  it('allows UDP and TCP on one port, and any number of ephemeral ports', () => {
    expect(parse('listen: [udp://0.0.0.0:5060, tcp://0.0.0.0:5060, tcp://127.0.0.1:0, ws://127.0.0.1:0]').listen).toHaveLength(4);
  });

  it('must be a non-empty list', () => {
    expect(problem('listen: udp://0.0.0.0:5060', 'listen')).toContain('expected a list, got "udp://0.0.0.0:5060"; write it as a YAML list, e.g. listen: ["udp://0.0.0.0:5060"]');
    expect(problem('listen: []', 'listen')).toContain('is empty; list at least one address');
  });
});

describe('tls', () => {
  it('is required by a tls:// listener', () => {
    const error = reject('listen: [udp://0.0.0.0:5060, tls://0.0.0.0:5061]');
    expect(error.key).toBe('tls.cert');
    expect(error.code).toBe('HERALD_ERR_CONFIG_REQUIRED');
    expect(error.errors[0].message).toBe(
      'tls.cert: is required by the listener "tls://0.0.0.0:5061"; add tls: { cert: cert.pem, key: key.pem } with the paths of the PEM certificate chain and private key',
    );
  });

  it('is required by a wss:// listener', () => {
    expect(problem('listen: [wss://0.0.0.0:8443]', 'tls.cert')).toContain('required by the listener "wss://0.0.0.0:8443/"');
  });

  it('needs both cert and key', () => {
    writeTlsFiles();
    expect(problem('tls: { cert: certs/cert.pem }', 'tls.key')).toBe('tls.key: is required; set it to the path of the PEM private key');
    expect(problem('tls: { key: certs/key.pem }', 'tls.cert')).toContain('is required; set it to the path of the PEM certificate (chain)');
  });

  it('names a missing file, resolved, and where relative paths start', () => {
    writeTlsFiles();
    const error = reject('tls: { cert: certs/missing.pem, key: certs/key.pem }');
    expect(error.code).toBe('HERALD_ERR_CONFIG_FILE');
    expect(error.errors[0].message).toBe(
      `tls.cert: cannot read ${join(dir, 'certs/missing.pem')} (no such file); give the path of the PEM certificate (chain), absolute or relative to ${dir}`,
    );
  });

  it('rejects a directory', () => {
    writeTlsFiles();
    expect(problem('tls: { cert: certs/cert.pem, key: certs }', 'tls.key')).toBe(
      `tls.key: ${join(dir, 'certs')} is a directory; give the path of the PEM private key, absolute or relative to ${dir}`,
    );
  });

  it('checks the optional ca file too', () => {
    writeTlsFiles();
    expect(problem('tls: { cert: certs/cert.pem, key: certs/key.pem, ca: ca.pem }', 'tls.ca')).toContain(
      '(no such file); give the path of the PEM file of trusted CA certificates',
    );
  });

  const asRoot = process.getuid?.() === 0;
  (asRoot ? it.skip : it)('rejects a file it may not read', () => {
    writeTlsFiles();
    chmodSync(join(dir, 'certs', 'key.pem'), 0o000);
    expect(problem('tls: { cert: certs/cert.pem, key: certs/key.pem }', 'tls.key')).toContain('(permission denied)');
  });

  it('takes requestCert as a boolean', () => {
    writeTlsFiles();
    expect(problem('tls: { cert: certs/cert.pem, key: certs/key.pem, requestCert: "yes" }', 'tls.requestCert')).toBe(
      'tls.requestCert: expected true or false, got "yes"; write requestCert: true or false, without quotes',
    );
  });

  it('must be a mapping', () => {
    expect(problem('tls: cert.pem', 'tls')).toBe(
      'tls: expected a mapping of keys, got "cert.pem"; write it as tls: { KEY: VALUE, ... }, or as indented KEY: VALUE lines under tls:',
    );
  });
});

describe('store', () => {
  it('is embedded or a Redis URL', () => {
    expect(problem('store: sqlite', 'store')).toBe(
      'store: "sqlite" is not "embedded" or a Redis URL; write embedded, or a Redis URL such as redis://127.0.0.1:6379 (rediss:// for TLS)',
    );
    expect(problem('store: "http://redis:6379"', 'store')).toContain('is not "embedded" or a Redis URL');
  });

  it('needs a Redis host', () => {
    expect(problem('store: "redis:/localhost"', 'store')).toContain('names no Redis host; write embedded, or a Redis URL');
  });

  it('takes a database number as the path', () => {
    expect(problem('store: "redis://localhost:6379/herald"', 'store')).toContain(
      'the path of a Redis URL is a database number; write e.g. redis://127.0.0.1:6379/0',
    );
  });

  it('keeps the password out of the message', () => {
    const message = problem('store: "redis://:hunter2@localhost/x"', 'store');
    expect(message).not.toContain('hunter2');
    expect(message).toContain('redis://:***@localhost/x');
  });
});

describe('dataDir', () => {
  it('must be text', () => {
    expect(problem('dataDir: 5', 'dataDir')).toBe('dataDir: expected text, got 5; put the value in quotes');
    expect(problem('dataDir: ""', 'dataDir')).toBe('dataDir: is empty; give a value, or remove the key to use the default');
  });
});

describe('log', () => {
  it('takes a known level', () => {
    expect(problem('log: { level: verbose }', 'log.level')).toBe(
      'log.level: expected one of error, warn, info, debug, got "verbose"; write e.g. level: error',
    );
  });

  it('must be a mapping', () => {
    expect(problem('log: debug', 'log')).toContain('expected a mapping of keys, got "debug"; write it as log: { KEY: VALUE, ... }');
  });
});

describe('sip', () => {
  it('takes whole numbers', () => {
    expect(problem('sip: { t1: 500ms }', 'sip.t1')).toBe(
      'sip.t1: expected a whole number of milliseconds, got "500ms"; write the number alone, e.g. t1: 1000',
    );
    expect(problem('sip: { maxMessageSize: 1.5 }', 'sip.maxMessageSize')).toContain('expected a whole number of bytes, got 1.5');
  });

  it('rejects zero, negative and timer-overflowing values', () => {
    expect(problem('sip: { maxConnectionsPerSource: 0 }', 'sip.maxConnectionsPerSource')).toBe(
      'sip.maxConnectionsPerSource: 0 is out of range; use a whole number of connections from 1 to 9007199254740991',
    );
    expect(problem('sip: { t4: -1 }', 'sip.t4')).toContain('-1 is out of range; use a whole number of milliseconds from 1 to 2147483647');
    expect(problem('sip: { idleConnectionTimeout: 3000000 }', 'sip.idleConnectionTimeout')).toContain('from 1 to 2147483');
  });

  it('requires t1 < t2', () => {
    expect(problem('sip: { t1: 4000 }', 'sip.t2')).toBe(
      'sip.t2: 4000 is not greater than sip.t1 (4000): retransmit intervals start at T1 and double up to T2 (RFC 3261 §17.1.2.2); raise sip.t2 or lower sip.t1',
    );
  });

  it('keeps header and body limits within the message limit', () => {
    expect(problem('sip: { maxMessageSize: 10000 }', 'sip.maxHeaderSize')).toBe(
      'sip.maxHeaderSize: 16384 is larger than sip.maxMessageSize (10000), which bounds the whole message; lower it or raise sip.maxMessageSize',
    );
    expect(problem('sip: { maxBodySize: 70000 }', 'sip.maxBodySize')).toContain('70000 is larger than sip.maxMessageSize (65535)');
  });

  it('does not compare against a value that is itself wrong', () => {
    expect(reject('sip: { t1: fast, t2: 100 }').errors.map((e) => e.key)).toEqual(['sip.t1']);
    expect(reject('sip: { maxMessageSize: big }').errors.map((e) => e.key)).toEqual(['sip.maxMessageSize']);
  });

  it('takes userAgent on one line', () => {
    expect(problem('sip: { userAgent: "Herald\\r\\nX-Evil: 1" }', 'sip.userAgent')).toBe(
      'sip.userAgent: contains a line break or control character; write it on one line of printable characters',
    );
  });
});

describe('loadConfig', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = process.cwd();
    process.chdir(dir);
  });
  afterEach(() => {
    process.chdir(cwd);
  });

  it('uses the defaults when no file is given and herald.yaml is absent', () => {
    expect(loadConfig(undefined, {})).toEqual(defaultConfig(dir));
  });

  it('reads herald.yaml from the working directory', () => {
    writeFileSync(file, 'domains: [example.org]\n');
    const config = loadConfig(undefined, {});
    expect(config.domains).toEqual(['example.org']);
    expect(config.source).toBe(file);
  });

  it('reads the file named by HERALD_CONFIG', () => {
    writeFileSync(join(dir, 'other.yaml'), 'domains: [example.net]\n');
    writeFileSync(file, 'domains: [example.org]\n');
    expect(loadConfig(undefined, { HERALD_CONFIG: 'other.yaml' }).domains).toEqual(['example.net']);
  });

  it('prefers the path given over HERALD_CONFIG', () => {
    writeFileSync(join(dir, 'given.yaml'), 'domains: [given.example]\n');
    expect(loadConfig('given.yaml', { HERALD_CONFIG: 'missing.yaml' }).domains).toEqual(['given.example']);
  });

  it('fails on a missing file given explicitly', () => {
    const error = (() => {
      try {
        loadConfig('missing.yaml', {});
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe('HERALD_ERR_CONFIG_FILE');
    expect(error.message).toBe(
      `${join(dir, 'missing.yaml')}: cannot read the configuration file (no such file); check the path, or give none to start on the defaults`,
    );
  });

  it('fails on a missing file named by HERALD_CONFIG', () => {
    expect(() => loadConfig(undefined, { HERALD_CONFIG: 'missing.yaml' })).toThrow(
      'cannot read the configuration file (no such file); check the path in HERALD_CONFIG, or unset it to start on the defaults',
    );
  });
});

describe('users', () => {
  it('seeds accounts, the domain defaulting to the first served one', () => {
    const config = parse('domains: [example.com, example.org]\nusers:\n  - { user: alice, password: "s3cret" }\n  - { user: bob, domain: example.org, password: pw }');
    expect(config.users).toEqual([
      { user: 'alice', domain: 'example.com', password: 's3cret' },
      { user: 'bob', domain: 'example.org', password: 'pw' },
    ]);
  });

  it('names the entry whose domain is not served', () => {
    expect(problem('domains: [example.com]\nusers: [{ user: alice, domain: example.net, password: pw }]', 'users[0].domain')).toBe(
      'users[0].domain: "example.net" is not a served domain; use one of example.com, or add it to domains',
    );
  });

  it('refuses a user name with a domain in it, and a password YAML read as a number', () => {
    expect(problem('users: [{ user: alice@example.com, password: pw }]', 'users[0].user')).toMatch(/^users\[0\]\.user: "alice@example.com" is not a user name/);
    expect(problem('users: [{ user: alice, password: 1234 }]', 'users[0].password')).toBe('users[0].password: is a number; put the password in quotes so that YAML keeps it as written');
  });

  it('requires a password', () => {
    expect(problem('users: [{ user: alice }]', 'users[0].password')).toMatch(/^users\[0\]\.password: is required/);
  });
});

describe('auth', () => {
  it('reads every key', () => {
    const config = parse('auth: { enabled: false, secret: 0123456789abcdef0123, nonceLifetime: 60, algorithms: [md5], checkDigestUri: false, md5OnlyUserAgents: [], maxFailuresPerSource: 5, maxFailuresPerUser: 3, failureWindow: 30 }');
    expect(config.auth).toEqual({ enabled: false, secret: '0123456789abcdef0123', nonceLifetime: 60, algorithms: ['MD5'], checkDigestUri: false, md5OnlyUserAgents: [], maxFailuresPerSource: 5, maxFailuresPerUser: 3, failureWindow: 30 });
  });

  it('refuses an unknown algorithm and a short secret', () => {
    expect(problem('auth: { algorithms: [SHA-512] }', 'auth.algorithms[0]')).toMatch(/^auth\.algorithms\[0\]: expected one of SHA-256, MD5/);
    expect(problem('auth: { secret: short }', 'auth.secret')).toMatch(/^auth\.secret: is shorter than 16 characters/);
  });
});

describe('registrar', () => {
  it('reads every key', () => {
    expect(parse('registrar: { defaultExpires: 600, minExpires: 30, maxExpires: 3600, maxContacts: 2 }').registrar).toEqual({ defaultExpires: 600, minExpires: 30, maxExpires: 3600, maxContacts: 2 });
  });

  it('keeps the default within the minimum and the maximum', () => {
    expect(problem('registrar: { minExpires: 7200, maxExpires: 3600 }', 'registrar.minExpires')).toMatch(/^registrar\.minExpires: 7200 is larger than registrar\.maxExpires/);
    expect(problem('registrar: { defaultExpires: 10 }', 'registrar.defaultExpires')).toMatch(/^registrar\.defaultExpires: 10 is outside/);
  });
});

describe('presence', () => {
  it('reads every key', () => {
    const text = 'presence: { defaultExpires: 600, minExpires: 30, maxExpires: 3600, notifyWindow: 0, fromRegistration: false, foreignWatchers: block, domains: [{ domain: localhost, localWatchers: confirm }] }';
    expect(parse(text).presence).toEqual({
      defaultExpires: 600,
      minExpires: 30,
      maxExpires: 3600,
      notifyWindow: 0,
      fromRegistration: false,
      localWatchers: 'allow',
      foreignWatchers: 'block',
      domains: [{ domain: 'localhost', localWatchers: 'confirm', foreignWatchers: 'block' }],
    });
  });

  it('checks the intervals as the registrar does, and the window', () => {
    expect(problem('presence: { minExpires: 7200, maxExpires: 3600 }', 'presence.minExpires')).toMatch(/^presence\.minExpires: 7200 is larger than presence\.maxExpires/);
    expect(problem('presence: { defaultExpires: 10 }', 'presence.defaultExpires')).toMatch(/^presence\.defaultExpires: 10 is outside/);
    expect(problem('presence: { notifyWindow: -1 }', 'presence.notifyWindow')).toMatch(/from 0 to 3600/);
    expect(problem('presence: { fromRegistration: 1 }', 'presence.fromRegistration')).toBeDefined();
    expect(problem('presence: { foreignWatchers: deny }', 'presence.foreignWatchers')).toMatch(/allow, block, polite-block, confirm/);
    expect(problem('presence: { domains: [{ domain: other.example }] }', 'presence.domains[0].domain')).toMatch(/is not a served domain/);
  });
});

describe('proxy', () => {
  it('reads the INVITE timeout and refuses zero', () => {
    expect(parse('proxy: { inviteTimeout: 60 }').proxy).toEqual({ inviteTimeout: 60 });
    expect(problem('proxy: { inviteTimeout: 0 }', 'proxy.inviteTimeout')).toMatch(/from 1 to/);
  });
});

describe('im', () => {
  it('reads every key', () => {
    expect(parse('im: { maxBodySize: 4096, udpMessageLimit: 1200, storeFor: 3600, maxStoredPerUser: 5 }').im).toEqual({ maxBodySize: 4096, udpMessageLimit: 1200, storeFor: 3600, maxStoredPerUser: 5 });
  });

  it('keeps maxBodySize within what the transport takes', () => {
    expect(problem('sip: { maxBodySize: 1000 }\nim: { maxBodySize: 2000 }', 'im.maxBodySize')).toMatch(/larger than sip\.maxBodySize/);
    expect(parse('sip: { maxBodySize: 1000 }').im.maxBodySize).toBe(1000);
  });
});

describe('routes', () => {
  it('reads exact and wildcard domains', () => {
    const routes = parse('routes:\n  - { domain: Peer.Test, to: "sip:127.0.0.1:5090;transport=tcp" }\n  - { domain: "*.acme.com", to: "sip:192.0.2.1" }').routes;
    expect(routes).toEqual([
      { domain: 'peer.test', to: 'sip:127.0.0.1:5090;transport=tcp' },
      { domain: '*.acme.com', to: 'sip:192.0.2.1' },
    ]);
  });

  it.each([
    ['routes: [{ to: "sip:192.0.2.1" }]', 'routes[0].domain', /is required/],
    ['routes: [{ domain: "peer test", to: "sip:192.0.2.1" }]', 'routes[0].domain', /is not a domain/],
    ['routes: [{ domain: localhost, to: "sip:192.0.2.1" }]', 'routes[0].domain', /one of Herald's own domains/],
    ['routes: [{ domain: peer.test, to: "http://192.0.2.1" }]', 'routes[0].to', /is not a SIP URI/],
    ['routes: [{ domain: peer.test, to: "sip:192.0.2.1;transport=sctp" }]', 'routes[0].to', /transport=sctp/],
    ['routes: [{ domain: peer.test, to: "sip:192.0.2.1;transport=ws" }]', 'routes[0].to', /WebSocket/],
    ['routes: [{ domain: peer.test }]', 'routes[0].to', /is required/],
  ])('names the problem in %s', (text, key, message) => {
    expect(problem(text, key)).toMatch(message);
  });
});

describe('workers', () => {
  it('is one process on the embedded store and one per core on Redis', () => {
    expect(parse('').workers).toBe(1);
    expect(parse('store: redis://127.0.0.1:6379').workers).toBe(availableParallelism());
    expect(parse('store: redis://127.0.0.1:6379\nworkers: 3').workers).toBe(3);
  });

  it('refuses several workers on the embedded store', () => {
    expect(problem('workers: 2', 'workers')).toMatch(/^workers: 2 workers need a shared store/);
  });
});

describe('admin', () => {
  it('reads the address and the token', () => {
    expect(parse('admin: { listen: "127.0.0.1:9000", token: 0123456789abcdef0123 }').admin).toEqual({ host: '127.0.0.1', port: 9000, token: '0123456789abcdef0123' });
    expect(parse('admin: { listen: "[::1]:9000", token: 0123456789abcdef0123 }').admin).toMatchObject({ host: '::1', port: 9000 });
  });

  it('needs a token and a HOST:PORT', () => {
    expect(problem('admin: { listen: "127.0.0.1:9000" }', 'admin.token')).toMatch(/is required with admin/);
    expect(problem('admin: { listen: "9000", token: 0123456789abcdef0123 }', 'admin.listen')).toMatch(/is not HOST:PORT/);
  });
});

describe('redis', () => {
  it('passes a key prefix, Sentinel or Cluster nodes with the Redis URL', () => {
    expect(parse('store: redis://:pw@127.0.0.1:6379/2\nredis: { keyPrefix: "herald:", sentinels: ["10.0.0.5:26379", "10.0.0.6:26379"], name: mymaster }').store).toEqual({
      kind: 'redis',
      url: 'redis://:pw@127.0.0.1:6379/2',
      keyPrefix: 'herald:',
      sentinels: [{ host: '10.0.0.5', port: 26379 }, { host: '10.0.0.6', port: 26379 }],
      name: 'mymaster',
    });
    expect(parse('store: redis://127.0.0.1:6379\nredis: { cluster: ["10.0.0.7:7000"] }').store).toMatchObject({ cluster: [{ host: '10.0.0.7', port: 7000 }] });
  });

  it('names what is missing or does not apply', () => {
    expect(problem('redis: { keyPrefix: "h:" }', 'redis')).toMatch(/applies to a Redis store only/);
    expect(problem('store: redis://127.0.0.1:6379\nredis: { sentinels: ["10.0.0.5:26379"] }', 'redis.name')).toMatch(/is required with redis.sentinels/);
    expect(problem('store: redis://127.0.0.1:6379\nredis: { keyPrefix: "{h}" }', 'redis.keyPrefix')).toMatch(/braces/);
  });
});
