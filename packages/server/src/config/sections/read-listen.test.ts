import { parse, problem, useScratchDir, writeTlsFiles } from '../../../test/helpers/config-fixture.js';

useScratchDir();

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

  describe('as a map with clientCert', () => {
    it('takes { uri, clientCert } for TLS and WSS listeners, and leaves clientCert out of the string form', () => {
      writeTlsFiles();
      const config = parse('listen: [{ uri: "tls://127.0.0.1:5061", clientCert: none }, { uri: "wss://127.0.0.1:8443", clientCert: request }, "tls://127.0.0.1:5062"]\ntls: { cert: certs/cert.pem, key: certs/key.pem }');
      expect(config.listen).toEqual([
        { transport: 'tls', host: '127.0.0.1', port: 5061, uri: 'tls://127.0.0.1:5061', clientCert: 'none' },
        { transport: 'wss', host: '127.0.0.1', port: 8443, path: '/', uri: 'wss://127.0.0.1:8443/', clientCert: 'request' },
        { transport: 'tls', host: '127.0.0.1', port: 5062, uri: 'tls://127.0.0.1:5062' },
      ]);
    });

    it('names a wrong value, a clientCert on a listener without TLS, an unknown key and a missing uri', () => {
      expect(problem('listen: [{ uri: "udp://0.0.0.0:5060", clientCert: require }]', 'listen[0].clientCert')).toBe(
        'listen[0].clientCert: expected one of request, none, got "require"; write e.g. clientCert: request',
      );
      expect(problem('listen: [{ uri: "tcp://0.0.0.0:5060", clientCert: request }]', 'listen[0].clientCert')).toBe(
        'listen[0].clientCert: is for tls:// and wss:// listeners only, not "tcp://0.0.0.0:5060"; remove it',
      );
      expect(problem('listen: [{ uri: "udp://0.0.0.0:5060", clientCerts: none }]', 'listen[0].clientCerts')).toContain('did you mean `clientCert`?');
      expect(problem('listen: [{ clientCert: none }]', 'listen[0].uri')).toContain('is required');
      expect(problem('listen: [{ uri: "tls//0.0.0.0:5061" }]', 'listen[0].uri')).toContain('is not a listen URI');
    });
  });
});
