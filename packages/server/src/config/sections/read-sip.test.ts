import { parse, problem, reject, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

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

  it('requires t1 <= t2, the rule of the transaction layer', () => {
    expect(problem('sip: { t1: 5000 }', 'sip.t2')).toBe(
      'sip.t2: 4000 is less than sip.t1 (5000): retransmit intervals start at T1 and double up to T2 (RFC 3261 §17.1.2.2); raise sip.t2 or lower sip.t1',
    );
    expect(parse('sip: { t1: 4000 }').sip.timers).toEqual({ t1: 4000, t2: 4000, t4: 5000 });
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

  it('reads the rate limit, and 0 turns it off', () => {
    expect(parse('sip: { rateLimit: { requestsPerSecond: 0 } }').sip.requestBudget).toEqual({ requestsPerSecond: 0, burst: 1000, exempt: [] });
    expect(problem('sip: { rateLimit: { burst: 0 } }', 'sip.rateLimit.burst')).toContain('0 is out of range');
    expect(problem('sip: { rateLimit: { exempt: [gateway.example.com] } }', 'sip.rateLimit.exempt[0]')).toBe(
      'sip.rateLimit.exempt[0]: expected an IP address, got "gateway.example.com"; list the addresses of peer proxies and gateways, e.g. "192.0.2.10"',
    );
    expect(problem('sip: { rateLimit: { perSecond: 5 } }', 'sip.rateLimit.perSecond')).toBeDefined();
  });

  it('takes userAgent on one line', () => {
    expect(problem('sip: { userAgent: "Herald\\r\\nX-Evil: 1" }', 'sip.userAgent')).toBe(
      'sip.userAgent: contains a line break or control character; write it on one line of printable characters',
    );
  });
});
