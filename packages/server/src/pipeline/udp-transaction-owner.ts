import type { RequestContext, RequestProcessor } from '@herald/proxy';
import { serverTransactionKey } from '@herald/stack';
import type { Claims } from '@herald/store';

export interface UdpTransactionOwnerOptions {
  claims: Claims;
  /** This worker. */
  owner: string;
  /** How long a claim on a transaction of `method` lasts: as long as it can be matched. */
  claimMs(method: string): number;
  /** Passes the request to `holder`, which processes it as if it had arrived there. */
  handOver(ctx: RequestContext, holder: string): void;
  clock: { now(): number };
}

/**
 * Workers of one node share their UDP socket (node:cluster), and the kernel gives each
 * datagram to any of them: a retransmission, a CANCEL, or the ACK of a non-2xx may reach
 * another worker than the one holding the transaction. The first worker to see a request
 * claims its transaction in the store; a worker that finds another's claim hands the
 * request over and forgets its own copy. REGISTER and OPTIONS are left out: the registrar
 * answers a repeated REGISTER the same way, and they are most of the traffic.
 * @see RFC 3261 §17.2.3, §9.2, §17.2.1 (the ACK of a non-2xx)
 */
export function udpTransactionOwner(options: UdpTransactionOwnerOptions): RequestProcessor {
  const { claims, owner, clock } = options;
  return {
    name: 'udp-transaction-owner',
    process(ctx: RequestContext) {
      const { req } = ctx;
      if (ctx.flow.transport !== 'udp' || req.method === 'REGISTER' || req.method === 'OPTIONS') return 'continue';
      // A CANCEL, and the ACK of a non-2xx, match the INVITE's transaction; an ACK for a 2xx
      // has a branch of its own that nobody claimed, and stays here.
      const ofInvite = req.method === 'CANCEL' || req.method === 'ACK';
      let key: string;
      try {
        key = `tx:${serverTransactionKey(req, ofInvite ? 'INVITE' : req.method)}`;
      } catch {
        return 'continue'; // a top Via no transaction can be matched on
      }
      const now = clock.now();
      const holder = ofInvite ? claims.holder(key, now) : claims.claim(key, owner, options.claimMs(req.method), now);
      return holder.then((h) => {
        if (h === null || h === owner) return 'continue';
        ctx.transaction?.dispose();
        options.handOver(ctx, h);
        return 'stop';
      });
    },
  };
}
