import { subscription } from '../../test/helpers/presence-requests.js';
import { fanOut } from './fan-out.js';

describe('RFC 4662 §5.2 who is told of a change', () => {
  it('tells each watcher directly, each list once for its members, and no terminated member', () => {
    const direct = subscription({ id: 'd1' });
    const m1 = subscription({ id: 'l1|bob', data: { listOf: 'l1' } });
    const m2 = subscription({ id: 'l2|bob', data: { listOf: 'l2' } });
    const over = subscription({ id: 'l3|bob', status: 'terminated', data: { listOf: 'l3' } });
    const waiting = subscription({ id: 'l4|bob', status: 'pending', data: { listOf: 'l4' } });
    const { direct: own, lists } = fanOut([m1, direct, over, waiting, m2]);
    expect(own).toEqual([direct]);
    expect([...lists]).toEqual([['l1', [m1]], ['l2', [m2]]]);
  });

  it('tells a pending watcher nothing: until approved it learns nothing of the state (RFC 3857 §3.2)', () => {
    const active = subscription({ id: 'd1' });
    const pending = subscription({ id: 'd2', status: 'pending', foreign: { domain: 'other.example', source: '198.51.100.9' } });
    expect(fanOut([pending, active]).direct).toEqual([active]);
  });
});
