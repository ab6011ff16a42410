import { createHmac } from 'node:crypto';
import { timingSafeEqualString } from '@herald/sip';
import type { Flow, TransportProtocol } from '@herald/stack';

/** A connection-oriented flow as a flow token carries it: which worker holds which connection. */
export type FlowHop = Pick<Flow, 'owner' | 'id' | 'transport'>;

/**
 * The flows of a dialog Herald record-routed: the one the dialog-creating request came in
 * on (toward the caller) and the one its branch went out on (toward the callee). `null` for
 * a side on UDP, where the Request-URI or Contact is used instead.
 */
export interface DialogFlows {
  caller: FlowHop | null;
  callee: FlowHop | null;
}

const MAC_LENGTH = 16;

/**
 * Flow tokens for the user part of Herald's Record-Route URIs: the dialog's flows, signed,
 * so that an in-dialog request is sent over the connection its peer is on whichever worker
 * or node holds it, and so that only dialogs Herald record-routed are relayed without
 * authentication.
 * @see RFC 5626 §5.2 (flow tokens), RFC 3261 §16.6 step 4
 */
export class FlowTokens {
  /** The secret tokens are signed with, then the one before it (still accepted). */
  private secrets: [string] | [string, string];

  constructor(secret: string) {
    this.secrets = [secret];
  }

  /**
   * Signs tokens with `secret` from now on, and still accepts those of the secret it
   * replaces (until the next change): dialogs set up before the change keep working.
   */
  useSecret(secret: string): void {
    if (secret !== this.secrets[0]) this.secrets = [secret, this.secrets[0]];
  }

  /** A token for the dialog of `callId`: it is valid for that Call-ID only, so it cannot be lifted into another request. */
  encode(flows: DialogFlows, callId: string): string {
    const text = [...hopFields(flows.caller), ...hopFields(flows.callee)].join('|');
    const body = Buffer.from(text, 'utf8').toString('base64url');
    return `${body}.${mac(this.secrets[0], body, callId)}`;
  }

  /** The flows a token names, or `null` when it is not one of ours, was altered, or belongs to another Call-ID. */
  decode(token: string, callId: string): DialogFlows | null {
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return null;
    const body = token.slice(0, dot);
    const signature = token.slice(dot + 1);
    if (!this.secrets.some((secret) => timingSafeEqualString(signature, mac(secret, body, callId)))) return null;
    const parts = Buffer.from(body, 'base64url').toString('utf8').split('|');
    if (parts.length !== 6) return null;
    return { caller: hop(parts[0], parts[1], parts[2]), callee: hop(parts[3], parts[4], parts[5]) };
  }
}

function mac(secret: string, body: string, callId: string): string {
  return createHmac('sha256', secret).update(body).update('\n').update(callId).digest('base64url').slice(0, MAC_LENGTH);
}

const STREAM_TRANSPORTS: ReadonlySet<string> = new Set<TransportProtocol>(['tcp', 'tls', 'ws', 'wss']);

function isStreamTransport(transport: string): transport is TransportProtocol {
  return STREAM_TRANSPORTS.has(transport);
}

function hopFields(hop: FlowHop | null): string[] {
  return hop === null ? ['', '', ''] : [hop.owner, hop.id, hop.transport];
}

function hop(owner: string, id: string, transport: string): FlowHop | null {
  if (owner === '' || id === '' || !isStreamTransport(transport)) return null;
  return { owner, id, transport };
}
