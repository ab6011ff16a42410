import { type SipRequest, formatVia } from '@herald/sip';
import { socketAddress } from './socket-address.js';

/**
 * Records where a request really came from in its top Via: `received` when the sent-by
 * host is not the source address, `rport` filled in when the client asked for it.
 * A `received` or `rport` value the client wrote itself is replaced by the real one, so
 * that responses go to where the request came from, never to an address the sender
 * picked. Only the first value of the first Via line is rewritten; every other line is
 * left as received. Throws the 400 `SipError` of a malformed top Via.
 * @see RFC 3261 §18.2.1, RFC 3581 §4
 */
export function stampVia(req: SipRequest, source: { address: string; port: number }): void {
  const via = req.topVia;
  const address = socketAddress(source.address);
  const port = String(source.port);
  const rport = via.params.get('rport');
  const wantsRport = rport !== undefined && rport !== port;
  const received = via.params.get('received');
  // RFC 3581 §4: with rport, received is added even when it equals the sent-by host.
  const wantsReceived = rport !== undefined || received !== undefined || socketAddress(via.host) !== address;
  if (!wantsRport && (!wantsReceived || received === address)) return;
  const params: typeof via.params = new Map();
  via.params.forEach((value, name) => params.set(name, value));
  if (wantsReceived) params.set('received', address);
  if (wantsRport) params.set('rport', port);
  const stamped = { ...via, params };
  req.replaceFirstValue('via', formatVia(stamped), stamped);
}
