import type { SipUri } from '@herald/sip';
import type { Flow, TlsPeerCheck, TransportProtocol } from '@herald/stack';

/**
 * One member of a target set: the Request-URI of a branch and how to reach it.
 * @see RFC 3261 §16.5
 */
export interface Target {
  /** The Request-URI of the branch. */
  uri: string;
  /** The contact's `q`; `null` counts as 1.0. */
  q: number | null;
  /** A route set to pre-load: a registered binding's Path, top first. @see RFC 3327 §5.3 */
  route: readonly string[];
  /** The flow the contact registered over (held by its `owner`, this worker or another), sent on while it is open. @see RFC 5626 §5.3 */
  flow: Flow | null;
  /**
   * Only `flow` reaches the contact (an outbound registration, a WebSocket client, a
   * `.invalid` host): when it is gone the branch fails with 430 rather than trying the URI.
   * @see RFC 5626 §5.3
   */
  flowOnly: boolean;
  /**
   * Next hops fixed by configuration (`routes:`), used whatever the URI says: each resolved
   * by RFC 3263 §4 and tried in order, then failed over. @see RFC 3263 §4.3
   */
  nextHops?: readonly SipUri[];
  /**
   * The peer domain the branch goes to, when its federation level constrains the way there:
   * only TLS destinations, the server's certificate checked against `domain` (not the SRV
   * target, RFC 5922 §7.3) and as `tlsCheck` says.
   */
  peer?: OutboundPeer;
  /**
   * How long a destination of this target that times out or fails at the transport is tried
   * last, when not the resolver's own time: a connector probe's mark lasts until the next
   * probe can lift it. @see RFC 3263 §4.3
   */
  failedForMs?: number;
}

/** What a federation level asks of the connection to a peer domain. @see RFC 5922 §7.3 */
export interface OutboundPeer {
  domain: string;
  /** Levels `encrypted` and `trusted`: a destination other than TLS is skipped. */
  onlyTls: boolean;
  tlsCheck?: TlsPeerCheck;
  /** The gateway community the domain belongs to. */
  community?: string;
  /** A community without proxies: the transport to find the domain by (RFC 3263 for `sip:<domain>;transport=<t>`). */
  transport?: TransportProtocol;
  /** A community without proxies: the port of the domain's A/AAAA when it has no NAPTR or SRV records. */
  defaultPort?: number;
}

/**
 * Targets grouped for forking: highest `q` first, each group tried in parallel, the next
 * group only when every branch of the one before has failed.
 * @see RFC 3261 §16.6 (q-values and sequential search)
 */
export function targetGroups(targets: readonly Target[]): Target[][] {
  // One contact (the common case): one group, without the map and sort.
  if (targets.length === 1) return [[targets[0]]];
  const byQ = new Map<number, Target[]>();
  for (const t of targets) {
    const q = t.q ?? 1;
    let group = byQ.get(q);
    if (group === undefined) byQ.set(q, (group = []));
    group.push(t);
  }
  return [...byQ.entries()].sort((a, b) => b[0] - a[0]).map(([, group]) => group);
}

/** What the location service holds for a contact, as far as forwarding to it goes. */
export interface RegisteredContact {
  contact: string;
  q: number | null;
  path: readonly string[];
  regId: number | null;
  /** `null` when nothing recorded how the contact was reached (then only its URI is). */
  flow: Flow | null;
}

/**
 * The target for a registered contact: its URI, its Path as route set, and its flow when
 * that is the way to it: always for a connection (reused while open, RFC 5923 style), for
 * UDP when the contact registered as an outbound flow or from behind a NAT (a private
 * contact address that is not where the REGISTER came from), as Kamailio's
 * `fix_nated_register` does.
 * @see RFC 3261 §16.5, RFC 3327 §5.3, RFC 5626 §5.3
 */
export function contactTarget(binding: RegisteredContact): Target {
  const { flow } = binding;
  if (flow === null) return { uri: binding.contact, q: binding.q, route: binding.path, flow: null, flowOnly: false };
  const host = contactHost(binding.contact);
  const flowOnly = onlyOverFlow(binding.regId, host, flow);
  const useFlow = flow.transport !== 'udp' || flowOnly || behindNat(host, flow);
  return { uri: binding.contact, q: binding.q, route: binding.path, flow: useFlow ? flow : null, flowOnly };
}

const PRIVATE_IPV4 = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/;

/** The contact's host is a private IPv4 address that is not the address its REGISTER came from. @see RFC 1918, RFC 6598 */
function behindNat(host: string, flow: Flow): boolean {
  return PRIVATE_IPV4.test(host) && host !== flow.remoteAddress;
}

function contactHost(contact: string): string {
  return /@([^;:>]+)/.exec(contact)?.[1] ?? /^sips?:([^;:>]+)/.exec(contact)?.[1] ?? '';
}

/** A contact only its own connection reaches: an outbound flow, a WebSocket client, an unroutable `.invalid` host. @see RFC 5626 §5.3, RFC 7118 §5 */
export function reachableOnlyOverFlow(b: Pick<RegisteredContact, 'contact' | 'regId'>, flow: Flow): boolean {
  return onlyOverFlow(b.regId, contactHost(b.contact), flow);
}

function onlyOverFlow(regId: number | null, host: string, flow: Flow): boolean {
  return regId !== null || host.endsWith('.invalid') || flow.transport === 'ws' || flow.transport === 'wss';
}
