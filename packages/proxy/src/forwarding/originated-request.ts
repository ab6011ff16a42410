import type { SipRequest } from '@herald/sip';
import type { Flow } from '@herald/stack';
import type { RequestContext } from '../tu/request-context.js';

/** The request context of a request Herald sends on its own: there is no one upstream to answer. */
export class OriginatedRequest implements RequestContext {
  authenticated = null;
  recordRouted = null;
  peer = null;
  statelessAnswer = false;
  readonly transaction = null;
  readonly flow: Flow;

  constructor(
    readonly req: SipRequest,
    owner: string,
  ) {
    this.flow = { id: 'herald', transport: 'udp', owner, localAddress: '', localPort: 0, remoteAddress: '', remotePort: 0 };
  }

  respond(): void {}

  relay(): void {}

  forward(): never {
    throw new Error('an originated request is forwarded by ProxyCore.originate');
  }
}
