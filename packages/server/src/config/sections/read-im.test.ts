import { parse, problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('im', () => {
  it('reads every key', () => {
    expect(parse('im: { maxBodySize: 4096, udpMessageLimit: 1200, storeFor: 3600, maxStoredPerUser: 5, maxStoredPerSender: 2, maxStoredPerForeignDomain: 3 }').im).toEqual({
      maxBodySize: 4096,
      udpMessageLimit: 1200,
      storeForMs: 3_600_000,
      maxStoredPerUser: 5,
      maxStoredPerSender: 2,
      maxStoredPerForeignDomain: 3,
    });
  });

  it('keeps maxBodySize within what the transport takes', () => {
    expect(problem('sip: { maxBodySize: 1000 }\nim: { maxBodySize: 2000 }', 'im.maxBodySize')).toMatch(/larger than sip\.maxBodySize/);
    expect(parse('sip: { maxBodySize: 1000 }').im.maxBodySize).toBe(1000);
  });
});
