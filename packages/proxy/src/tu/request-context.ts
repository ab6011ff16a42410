import type { ResponseOptions, SipRequest, SipResponse, SipUri } from '@herald/sip';
import type { Flow, ServerTransaction } from '@herald/stack';
import type { PeerVerdict } from '../federation/peer-verdict.js';
import type { DialogFlows } from '../routing/flow-tokens.js';
import type { Target } from '../routing/target.js';

/** The account a request was authenticated as (digest) or asserted for (trusted peer). */
export interface AuthenticatedUser {
  user: string;
  domain: string;
  /** `sip:user@domain` */
  aor: string;
}

/**
 * What a request processor sees of one request: the request (never a retransmission),
 * the flow it came in on, and a way to answer it.
 */
export interface RequestContext {
  readonly req: SipRequest;
  /** The flow the request arrived on: transport, source address, connection id. */
  readonly flow: Flow;
  /** Set by the authenticator once the credentials check out. */
  authenticated: AuthenticatedUser | null;
  /**
   * Set by route preprocessing when the top Route was a Record-Route of Herald's with a
   * valid flow token: the request is in a dialog Herald record-routed.
   */
  recordRouted: DialogFlows | null;
  /**
   * Set by the federation step for a request from another domain: which peer sent it and
   * how far Herald trusts it. `null` for everything else; later steps only read it.
   */
  peer: PeerVerdict | null;
  /**
   * Set by ID conversion for a request going to a `convertIds` community: the sender's
   * external form, which the forwarded copies carry in From and P-Asserted-Identity; the
   * responses sent back carry the request's own From. Absent for everything else.
   */
  presentedAs?: SipUri;
  /**
   * Set by the digest step when the request showed again the nonce count that the same
   * request (the same bytes from the same source) recorded within Timer F: a retransmission
   * of a request already let through, processed again because its first answer was sent
   * statelessly. A step must change nothing the first processing did not (RFC 3261 §17.2.2:
   * a retransmission is answered, never acted on again). Absent for everything else.
   */
  retransmitted?: boolean;
  /**
   * Whether this request's final response may be sent as a stateless UAS sends it (RFC 3261
   * §8.2.7): the server transaction ends as the response leaves, without Timer J's 32 s, and
   * a retransmission arriving later is processed afresh. Only a step whose answer a
   * retransmission processed again cannot change may set it (the registrar, RFC 3261 §10.3
   * step 7; the REGISTER challenge, §26.3.2.4); one that finds otherwise clears it. Read when
   * the final response is sent; a response relayed from downstream ignores it.
   */
  statelessAnswer: boolean;
  /** The server transaction (`null` for an ACK); the proxy core matches CANCELs with it. */
  readonly transaction: ServerTransaction | null;
  /** Sends a final or provisional response through the server transaction. */
  respond(status: number, reason?: string, options?: ResponseOptions): void;
  /** Sends a response that came from downstream, as it is, through the server transaction. */
  relay(response: SipResponse): void;
  /**
   * Proxies the request to `targets` (forking by q-value) and sends the responses upstream;
   * resolves once the final response is chosen. @see RFC 3261 §16.5–§16.7
   */
  forward(targets: readonly Target[], options?: ForwardOptions): Promise<ForwardOutcome>;
}

export interface ForwardOptions {
  /**
   * Called with the best final response when no branch answered 2xx, before it goes
   * upstream; resolving true means the caller has answered the request itself (an IM
   * service storing the message answers 202).
   */
  onFailure?(best: SipResponse): boolean | Promise<boolean>;
}

/** How a forwarded request ended: the final status sent upstream (or left to `onFailure`). */
export interface ForwardOutcome {
  status: number;
  /** The best final response, when it came from a branch. */
  response: SipResponse | null;
  /** True when `onFailure` took over. */
  handled: boolean;
  /**
   * `response` came from downstream, rather than being made up by Herald for a branch that
   * got no answer (408), failed at the transport, or could not be tried (a next hop DNS does
   * not know, no TLS route to a peer). Set by the proxy core; absent counts as not.
   */
  received?: boolean;
}
