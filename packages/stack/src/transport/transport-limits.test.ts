import { DEFAULT_TRANSPORT_LIMITS, defaultMaxConnections, descriptorLimit, resolveLimits } from './transport-limits.js';

const PROC_LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            20000                20000                files
Max locked memory         8388608              8388608              bytes
`;

describe('transport limits', () => {
  it('reads the soft limit on open files, and falls back when it cannot', () => {
    expect(descriptorLimit(PROC_LIMITS)).toBe(20000);
    expect(descriptorLimit('Max open files            unlimited            unlimited            files')).toBe(4096);
    expect(descriptorLimit('')).toBe(4096);
  });

  it('keeps 5 % of the descriptors, at least 128, out of maxConnections', () => {
    expect(defaultMaxConnections(20000)).toBe(19000);
    expect(defaultMaxConnections(1024)).toBe(896);
    expect(defaultMaxConnections(100)).toBe(1);
  });

  it('defaults maxConnections below this process’s descriptor limit', () => {
    expect(DEFAULT_TRANSPORT_LIMITS.maxConnections).toBe(defaultMaxConnections(descriptorLimit()));
    expect(DEFAULT_TRANSPORT_LIMITS.maxConnections).toBeLessThan(descriptorLimit());
  });

  it('refuses a limit that is not a positive whole number', () => {
    expect(() => resolveLimits({ messageTimeoutMs: 0 })).toThrow('limits.messageTimeoutMs must be a positive integer, not 0');
  });
});
