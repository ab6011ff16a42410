import { FakeClock } from '@herald/test-kit';
import { TerminationTimers } from './termination-timers.js';

function member() {
  const m = { disposed: 0, dispose: () => void m.disposed++ };
  return m;
}

describe('TerminationTimers (RFC 3261 §17 Timers D, I, J, K; RFC 6026 Timers L, M)', () => {
  it('ends a member when its time has passed, not before', () => {
    const clock = new FakeClock();
    const timers = new TerminationTimers(clock);
    const m = member();
    timers.add(m, 32_000);
    clock.advance(31_999);
    expect(m.disposed).toBe(0);
    clock.advance(1);
    expect(m.disposed).toBe(1);
    expect(timers.size).toBe(0);
  });

  it('shares one clock timer between the members added in the same millisecond with the same duration', () => {
    const clock = new FakeClock();
    const timers = new TerminationTimers(clock);
    const [a, b, c, d] = [member(), member(), member(), member()];
    timers.add(a, 32_000);
    timers.add(b, 32_000);
    timers.add(c, 5_000);
    expect(clock.pending).toBe(2);
    clock.advance(1);
    timers.add(d, 32_000);
    expect(clock.pending).toBe(3);
    clock.advance(5_000);
    expect([a, b, c, d].map((m) => m.disposed)).toEqual([0, 0, 1, 0]);
    clock.advance(26_999);
    expect([a, b, c, d].map((m) => m.disposed)).toEqual([1, 1, 1, 0]);
    clock.advance(1);
    expect(d.disposed).toBe(1);
    expect(clock.pending).toBe(0);
  });

  it('stops every timer on clear, ending nothing', () => {
    const clock = new FakeClock();
    const timers = new TerminationTimers(clock);
    const m = member();
    timers.add(m, 1000);
    timers.clear();
    expect(clock.pending).toBe(0);
    clock.advance(2000);
    expect(m.disposed).toBe(0);
    timers.add(m, 1000);
    clock.advance(1000);
    expect(m.disposed).toBe(1);
  });
});
