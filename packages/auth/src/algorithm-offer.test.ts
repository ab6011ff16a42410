import { AlgorithmOffer } from './algorithm-offer.js';
import { DEFAULT_DIGEST_POLICY } from './digest-policy.js';

describe('AlgorithmOffer (RFC 8760 §2.3, §2.4)', () => {
  const offer = new AlgorithmOffer(DEFAULT_DIGEST_POLICY);

  it.each([
    ['no User-Agent (SIPp)', undefined],
    ['sipsak', 'sipsak 0.9.8.1'],
    ['SIP.js', 'SIP.js/0.21.2'],
    ['JsSIP', 'JsSIP 3.10.1'],
    ['baresip', 'baresip v1.0.0 (x86_64/linux)'],
    ['MicroSIP', 'MicroSIP/3.21.3'],
    ['a hardware phone', 'Yealink SIP-T46S 66.86.0.15'],
  ])('offers MD5 alone to %s', (_, agent) => {
    expect(offer.for(agent, 'example.com')).toEqual(['MD5']);
  });

  it.each([
    'Linphonec/5.1.65',
    'Linphone Desktop/5.2.6 (Debian GNU/Linux 12) LinphoneSDK/5.3.41',
    'LinphoneAndroid/5.2.5 (Pixel 7) LinphoneSDK/5.3.30',
    'LinphoneiOS/5.2.1 (iPhone) LinphoneSDK/5.3.0',
    'Linphone/3.12.0 (belle-sip/1.6.3)',
    'liblinphone/5.3.41 (belle-sip/5.3.41)',
  ])('offers SHA-256 first, then MD5, to %s', (agent) => {
    expect(offer.for(agent, 'example.com')).toEqual(['SHA-256', 'MD5']);
  });

  it('offers every algorithm to every client of a realm in sha256Domains', () => {
    const byDomain = new AlgorithmOffer({ ...DEFAULT_DIGEST_POLICY, sha256Domains: ['Example.com'] });
    expect(byDomain.for(undefined, 'example.com')).toEqual(['SHA-256', 'MD5']);
    expect(byDomain.for('sipsak 0.9.8.1', 'example.org')).toEqual(['MD5']);
  });

  it('lets md5OnlyUserAgents override both lists, ignoring case', () => {
    const except = new AlgorithmOffer({ ...DEFAULT_DIGEST_POLICY, sha256Domains: ['example.com'], md5OnlyUserAgents: ['linphone/3.'] });
    expect(except.for('Linphone/3.12.0 (belle-sip/1.6.3)', 'example.com')).toEqual(['MD5']);
    expect(except.for('Linphone/5.2', 'example.com')).toEqual(['SHA-256', 'MD5']);
  });

  it('offers the configured algorithms to everyone when none is MD5, and MD5 alone when only MD5 is', () => {
    expect(new AlgorithmOffer({ ...DEFAULT_DIGEST_POLICY, algorithms: ['SHA-256'] }).for('sipsak 0.9.8.1', 'example.com')).toEqual(['SHA-256']);
    expect(new AlgorithmOffer({ ...DEFAULT_DIGEST_POLICY, algorithms: ['MD5'] }).for('Linphone/5.2', 'example.com')).toEqual(['MD5']);
  });

  it('keeps the configured order for clients that choose', () => {
    const md5First = new AlgorithmOffer({ ...DEFAULT_DIGEST_POLICY, algorithms: ['MD5', 'SHA-256'] });
    expect(md5First.for('Linphone/5.2', 'example.com')).toEqual(['MD5', 'SHA-256']);
    expect(md5First.for(undefined, 'example.com')).toEqual(['MD5']);
  });

  it('gives each User-Agent its own answer once many have been seen, and still asks the realm each time', () => {
    const byDomain = new AlgorithmOffer({ ...DEFAULT_DIGEST_POLICY, sha256Domains: ['example.org'], md5OnlyUserAgents: ['old-phone'] });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 300; i++) {
        expect(byDomain.for(`Linphone/5.${i}`, 'example.com')).toEqual(['SHA-256', 'MD5']);
        expect(byDomain.for(`Other/5.${i}`, 'example.com')).toEqual(['MD5']);
        expect(byDomain.for(`Other/5.${i}`, 'example.org')).toEqual(['SHA-256', 'MD5']);
        expect(byDomain.for(`Old-Phone/5.${i}`, 'example.org')).toEqual(['MD5']);
      }
    }
  });
});
