import { problem, reject, useScratchDir, writeTlsFiles } from '../../test/helpers/config-fixture.js';
import { Problems, allRead, readWholeNumbers } from './validation-kit.js';

useScratchDir();

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
    expect(problem('voicemail: {}', 'voicemail')).toContain('remove it; the known keys are domains, listen, tls, store, dataDir, log, sip, users, auth, registrar, proxy, routes, enum, im, presence, workers, admin, redis, dns, ddns');
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

describe('whole-number keys', () => {
  const keys = {
    windowMs: { key: 'window', unit: 'seconds', max: 60, inMs: true },
    count: { unit: 'messages', min: 0, max: 10 },
  };

  it('reads the file in its units into the package units, and a default from the package units', () => {
    const problems = new Problems();
    expect(readWholeNumbers('s', { window: 30 }, keys, { windowMs: 5000, count: 3 }, problems)).toEqual({ windowMs: 30_000, count: 3 });
    expect(readWholeNumbers('s', {}, keys, { windowMs: 5000, count: 0 }, problems)).toEqual({ windowMs: 5000, count: 0 });
    expect(problems.list).toEqual([]);
  });

  it('names the key as the file writes it, in its unit, and leaves that field out', () => {
    const problems = new Problems();
    const read = readWholeNumbers('s', { window: 61, count: 'many' }, keys, { windowMs: 5000, count: 3 }, problems);
    expect(read).toEqual({ windowMs: undefined, count: undefined });
    expect(problems.list.map((e) => e.message)).toEqual([
      's.window: 61 is out of range; use a whole number of seconds from 1 to 60',
      's.count: expected a whole number of messages, got "many"; write the number alone, e.g. count: 1000',
    ]);
    expect(allRead(read)).toBeUndefined();
  });
});
