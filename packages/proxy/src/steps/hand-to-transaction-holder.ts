import type { SipRequest } from '@herald/sip';
import { type Flow, serverTransactionKey } from '@herald/stack';
import type { Claims } from '@herald/store';
import type { RequestProcessor } from '../tu/request-processor.js';

export interface TransactionHolderOptions {
  claims: Claims;
  /** This worker. */
  owner: string;
  /** How long a claim on a transaction of `method` lasts: as long as it can be matched. */
  claimMs(method: string): number;
  /** Passes a message to worker `holder`, which receives it as if it had arrived there (`FlowRelay.handOver`). */
  handOver(request: SipRequest, flow: Flow, holder: string): void;
  clock: { now(): number };
}

/**
 * Workers of one node share their UDP socket (node:cluster), and the kernel gives each
 * datagram to any of them: a retransmission, a CANCEL, or the ACK of a non-2xx may reach
 * another worker than the one holding the transaction. The first worker to see a request
 * claims its transaction in the store; a worker that finds another's claim hands the
 * request over and forgets its own copy. For UDP requests other than REGISTER and OPTIONS:
 * the registrar answers a repeated REGISTER the same way, and they are most of the traffic.
 * @see RFC 3261 §17.2.3, §9.2, §17.2.1 (the ACK of a non-2xx)
 */
export function handToTransactionHolder(options: TransactionHolderOptions): RequestProcessor {
  const { claims, owner, clock } = options;
  return {
    name: 'hand-to-transaction-holder',
    process(ctx) {
      const { req } = ctx;
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
        options.handOver(req, ctx.flow, h);
        return 'stop';
      });
    },
  };
}
