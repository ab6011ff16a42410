/** The proxy core over a recording transaction layer, and requests for it: the harness of its unit tests. */
import { type SipRequest, type SipResponse, createResponse, parseMessage } from '@herald/sip';
import { type ClientTransaction, type ClientTransactionHandler, type Destination, type Flow, type InviteServerTransaction, type ServerTransaction, SipResolver } from '@herald/stack';
import { FakeClock } from '@herald/test-kit';
import { FlowTokens } from '../../src/routing/flow-tokens.js';
import { LocalIdentity } from '../../src/routing/local-identity.js';
import { ProxyCore } from '../../src/forwarding/proxy-core.js';
import type { ForwardOptions, ForwardOutcome, RequestContext } from '../../src/tu/request-context.js';
import type { Target } from '../../src/routing/target.js';

export const HERALD = { address: '192.0.2.1', port: 5060 };
export const UDP_FLOW: Flow = { id: 'udp-1', transport: 'udp', owner: 'node~1~aa', localAddress: HERALD.address, localPort: 5060, remoteAddress: '198.51.100.2', remotePort: 5062 };
export const TCP_FLOW: Flow = { id: 'tcp-9', transport: 'tcp', owner: 'node~1~aa', localAddress: HERALD.address, localPort: 5060, remoteAddress: '198.51.100.3', remotePort: 40000 };

/** Addresses by name, as plain data: the resolver's ordering is tested against a real named elsewhere. */
const ZONE: Record<string, string[]> = {
  'edge.example.net': ['192.0.2.50'],
  'pool.example.net': ['192.0.2.51', '192.0.2.52', '192.0.2.53'],
  'farm.example.net': Array.from({ length: 12 }, (_, i) => `192.0.2.${100 + i}`),
  'nowhere.example.net': [],
};
/** A name whose DNS never answers. */
const STUCK = 'stuck.example.net';

interface Sent {
  request: SipRequest;
  destination: Destination;
  handler: ClientTransactionHandler;
}

/** A proxy core over a recording transaction layer: branches are answered by hand. */
export function harness() {
  const clock = new FakeClock();
  const sent: Sent[] = [];
  let onSent: (() => void) | undefined;
  /** Resolves once `n` requests have been sent (a branch whose next hop is a name waits for DNS). */
  const whenSent = (n: number) =>
    new Promise<void>((resolve) => {
      onSent = () => sent.length >= n && resolve();
      onSent();
    });
  const invites = new Map<string, InviteServerTransaction>();
  const identity = new LocalIdentity(['example.com'], [HERALD], []);
  const tokens = new FlowTokens('secret');
  const failovers: Array<[string, string]> = [];
  /** The peer domain of each failover's branch, when its target had one. */
  const failoverPeers: Array<string | undefined> = [];
  const core = new ProxyCore({
    identity,
    transactions: {
      sendRequest(request, destination, handler) {
        sent.push({ request, destination, handler });
        onSent?.();
        return {} as ClientTransaction;
      },
      findInviteForCancel: (cancel) => invites.get(cancel.callId) ?? null,
    },
    transport: { send: () => Promise.resolve() },
    advertised: [
      { transport: 'udp', host: HERALD.address, port: 5060 },
      { transport: 'tcp', host: HERALD.address, port: 5060 },
    ],
    owner: 'node~1~aa',
    flowTokens: tokens,
    isFlowOpen: (id) => id === TCP_FLOW.id || id === 'tcp-callee',
    clock,
    inviteTimeoutMs: 180_000,
    // Plain data for the one name a test resolves; other targets are addresses, which need no DNS.
    onFailover: (from, to, peer) => {
      failovers.push([from.address, to.address]);
      failoverPeers.push(peer?.domain);
    },
    resolver: new SipResolver({
      dns: { addresses: (name) => (name === STUCK ? new Promise(() => undefined) : Promise.resolve(ZONE[name] ?? [])), srv: () => Promise.resolve([]), naptr: () => Promise.resolve([]) },
      clock,
    }),
  });
  const answer = (i: number, status: number, extra: string[] = []) => {
    const { request, handler } = sent[i];
    const res = createResponse(request, status, undefined, { headers: extra.map((h) => h.split(': ', 2) as [string, string]) });
    handler.onResponse(res, {} as ClientTransaction, UDP_FLOW);
    return res;
  };
  /** The made-up 408 of a client transaction whose Timer B/F fired. @see RFC 3261 §17.1.1.2 */
  const timeOut = (i: number) => {
    const { request, handler } = sent[i];
    handler.onTimeout({} as ClientTransaction, createResponse(request, 408));
  };
  return { clock, sent, whenSent, invites, core, identity, tokens, answer, timeOut, failovers, failoverPeers };
}

export class Ctx implements RequestContext {
  authenticated = null;
  recordRouted = null;
  peer = null;
  presentedAs?: RequestContext['presentedAs'];
  statelessAnswer = false;
  readonly responses: Array<{ status: number; response?: SipResponse }> = [];
  constructor(
    readonly core: ProxyCore,
    readonly req: SipRequest,
    readonly flow: Flow = UDP_FLOW,
    readonly transaction: ServerTransaction | null = {} as ServerTransaction,
  ) {}
  respond(status: number): void {
    this.responses.push({ status });
  }
  relay(response: SipResponse): void {
    this.responses.push({ status: response.status, response });
  }
  forward(targets: readonly Target[], options?: ForwardOptions): Promise<ForwardOutcome> {
    return this.core.forward(this, targets, options);
  }
}

export function invite(extra: string[] = [], method = 'INVITE'): SipRequest {
  const text = [
    `${method} sip:bob@example.com SIP/2.0`,
    'Via: SIP/2.0/UDP 198.51.100.2:5062;branch=z9hG4bKcaller1;received=198.51.100.2;rport=5062',
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=a1',
    'To: <sip:bob@example.com>',
    'Call-ID: call-1',
    `CSeq: 1 ${method}`,
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text)) as SipRequest;
}

export function target(uri: string, q: number | null = null, flow: Target['flow'] = null): Target {
  return { uri, q, route: [], flow, flowOnly: false };
}
