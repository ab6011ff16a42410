import { storedFlow } from './flow.js';

describe('the flow a binding stores', () => {
  it('keeps how to reach the flow and leaves what its certificate proved with the connection', () => {
    const flow = {
      id: 'f1', transport: 'tls' as const, owner: 'n~1~a', localAddress: '127.0.0.1', localPort: 5061, remoteAddress: '127.0.0.2', remotePort: 40000,
      peerCertificate: { identities: ['peer.test'], authorized: true, chain: ['AA'] },
    };
    const stored = storedFlow(flow);
    expect(stored).toEqual({ id: 'f1', transport: 'tls', owner: 'n~1~a', localAddress: '127.0.0.1', localPort: 5061, remoteAddress: '127.0.0.2', remotePort: 40000 });
    expect('peerCertificate' in stored).toBe(false);
  });
});
