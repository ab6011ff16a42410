import { FakeClock } from '@herald/test-kit';
import type { Flow } from '../flow/flow.js';
import type { Connection } from './connection.js';
import { ConnectionTable } from './connection-table.js';

class FakeConnection implements Connection {
  closes = 0;
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;

  constructor(readonly flow: Flow) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  send(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    this.closes++;
  }

  finish(table: ConnectionTable): void {
    table.remove(this);
    this.resolveClosed();
  }
}

function flow(id: string, remotePort: number, remoteAddress = '192.0.2.1'): Flow {
  return { id, transport: 'tcp', owner: 'test~1~00', localAddress: '127.0.0.1', localPort: 5060, remoteAddress, remotePort };
}

describe('ConnectionTable', () => {
  it('finds a connection by flow id and by remote transport, address and port', () => {
    const table = new ConnectionTable({ maxConnectionsPerSource: 4, idleTimeoutMs: 1000, clock: new FakeClock() });
    const c = new FakeConnection(flow('f1', 40000, '2001:db8::1'));
    table.add(c);
    expect(table.get('f1')).toBe(c);
    expect(table.find('tcp', '[2001:DB8::1]', 40000)).toBe(c);
    expect(table.find('tls', '2001:db8::1', 40000)).toBeUndefined();
  });

  it('counts accepted connections per source IP and refuses beyond the limit', () => {
    const table = new ConnectionTable({ maxConnectionsPerSource: 2, idleTimeoutMs: 1000 });
    expect(table.admit('192.0.2.1')).toBeNull();
    expect(table.admit('::ffff:192.0.2.1')).toBeNull();
    expect(table.admit('192.0.2.1')).toBe('maxConnectionsPerSource');
    expect(table.admit('192.0.2.2')).toBeNull();
    table.release('192.0.2.1');
    expect(table.admit('192.0.2.1')).toBeNull();
  });

  it('refuses any source beyond maxConnections in all', () => {
    const table = new ConnectionTable({ maxConnectionsPerSource: 2, maxConnections: 3, idleTimeoutMs: 1000 });
    expect(['192.0.2.1', '192.0.2.1', '192.0.2.2'].map((a) => table.admit(a))).toEqual([null, null, null]);
    expect(table.admit('192.0.2.3')).toBe('maxConnections');
    expect(table.accepted).toBe(3);
    table.release('192.0.2.2');
    table.release('192.0.2.9');
    expect(table.accepted).toBe(2);
    expect(table.admit('192.0.2.3')).toBeNull();
  });

  it('closes a connection idle for idleTimeoutMs, and not one with traffic', () => {
    const clock = new FakeClock();
    const table = new ConnectionTable({ maxConnectionsPerSource: 4, idleTimeoutMs: 1000, clock });
    const idle = new FakeConnection(flow('idle', 1));
    const busy = new FakeConnection(flow('busy', 2));
    table.add(idle);
    table.add(busy);
    for (let t = 0; t < 8; t++) {
      clock.advance(200);
      table.touch(busy);
    }
    expect(idle.closes).toBeGreaterThan(0);
    expect(busy.closes).toBe(0);
  });

  it('reports a closed flow once, and stops sweeping when empty', () => {
    const clock = new FakeClock();
    const closed: Flow[] = [];
    const table = new ConnectionTable({ maxConnectionsPerSource: 4, idleTimeoutMs: 1000, clock, onClosed: (f) => closed.push(f) });
    const c = new FakeConnection(flow('f1', 1));
    table.add(c);
    c.finish(table);
    table.remove(c);
    expect(closed.map((f) => f.id)).toEqual(['f1']);
    expect(table.get('f1')).toBeUndefined();
    expect(table.find('tcp', '192.0.2.1', 1)).toBeUndefined();
    expect(clock.pending).toBe(0);
  });

  it('closeAll closes every connection and waits for them', async () => {
    const table = new ConnectionTable({ maxConnectionsPerSource: 4, idleTimeoutMs: 1000, clock: new FakeClock() });
    const a = new FakeConnection(flow('a', 1));
    const b = new FakeConnection(flow('b', 2));
    table.add(a);
    table.add(b);
    const all = table.closeAll();
    expect([a.closes, b.closes]).toEqual([1, 1]);
    a.finish(table);
    b.finish(table);
    await all;
    expect(table.size).toBe(0);
  });
});
