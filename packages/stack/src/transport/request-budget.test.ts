import { SourceBudget } from './request-budget.js';

describe('SourceBudget', () => {
  const budget = (requestsPerSecond = 10, burst = 5, exempt: string[] = []) => new SourceBudget({ requestsPerSecond, burst, exempt });

  it('takes a burst, then refuses once a second and drops the rest', () => {
    const b = budget(1, 5);
    const verdicts = Array.from({ length: 8 }, () => b.take('192.0.2.1', 1000));
    expect(verdicts).toEqual(['take', 'take', 'take', 'take', 'take', 'refuse', 'drop', 'drop']);
    expect(b.take('192.0.2.1', 1999)).toBe('drop');
    expect(b.take('192.0.2.1', 2000)).toBe('take');
    expect(b.take('192.0.2.1', 2000)).toBe('refuse');
  });

  it('refills at the sustained rate', () => {
    const b = budget(10, 1);
    expect(b.take('192.0.2.1', 0)).toBe('take');
    expect(b.take('192.0.2.1', 50)).toBe('refuse');
    expect(b.take('192.0.2.1', 100)).toBe('take');
    expect(b.take('192.0.2.1', 150)).toBe('drop');
  });

  it('keeps one budget per address', () => {
    const b = budget(1, 1);
    expect(b.take('192.0.2.1', 0)).toBe('take');
    expect(b.take('192.0.2.1', 0)).toBe('refuse');
    expect(b.take('192.0.2.2', 0)).toBe('take');
  });

  it('lets exempt addresses and everyone, when off, through', () => {
    const exempt = budget(1, 1, ['::ffff:192.0.2.9']);
    for (let i = 0; i < 5; i++) expect(exempt.take('192.0.2.9', 0)).toBe('take');
    const off = budget(0, 1);
    expect(off.enabled).toBe(false);
    for (let i = 0; i < 5; i++) expect(off.take('192.0.2.1', 0)).toBe('take');
  });

  it('forgets sources whose bucket has refilled', () => {
    const b = budget(10, 5);
    b.take('192.0.2.1', 0);
    b.take('192.0.2.2', 0);
    expect(b.size).toBe(2);
    b.take('192.0.2.3', 600);
    expect(b.size).toBe(1);
  });

  it('tells how long to wait, in whole seconds', () => {
    expect(budget(10, 5).retryAfterSeconds()).toBe(1);
    expect(budget(0.1, 5).retryAfterSeconds()).toBe(10);
  });

  it('refuses a budget that cannot work', () => {
    expect(() => budget(-1)).toThrow('rateLimit.requestsPerSecond must be 0 (off) or more, not -1');
    expect(() => budget(10, 0)).toThrow('rateLimit.burst must be a whole number of at least 1, not 0');
  });
});
