import { subscription } from '../../test/helpers/presence-requests.js';
import { fanOut } from './fan-out.js';

describe('RFC 4662 §5.2 who is told of a change', () => {
  it('tells each watcher directly, each list once for its members, and no terminated member', () => {
    const direct = subscription({ id: 'd1' });
    const m1 = subscription({ id: 'l1|bob', data: { listOf: 'l1' } });
    const m2 = subscription({ id: 'l2|bob', data: { listOf: 'l2' } });
    const over = subscription({ id: 'l3|bob', status: 'terminated', data: { listOf: 'l3' } });
    const { direct: own, lists } = fanOut([m1, direct, over, m2]);
    expect(own).toEqual([direct]);
    expect([...lists]).toEqual([['l1', [m1]], ['l2', [m2]]]);
  });
});
