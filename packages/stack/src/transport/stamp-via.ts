import { type SipRequest, formatVia, splitList } from '@herald/sip';
import { socketAddress } from './socket-address.js';

/**
 * Records where a request really came from in its top Via: `received` when the sent-by
 * host is not the source address, `rport` filled in when the client asked for it.
 * Only the first value of the first Via line is rewritten; every other line is left as
 * received. Throws the 400 `SipError` of a malformed top Via.
 * @see RFC 3261 §18.2.1, RFC 3581 §4
 */
export function stampVia(req: SipRequest, source: { address: string; port: number }): void {
  const via = req.topVia;
  const address = socketAddress(source.address);
  const params = new Map(via.params);
  const wantsRport = params.has('rport') && params.get('rport') === null;
  // RFC 3581 §4: with rport, received is added even when it equals the sent-by host.
  const wantsReceived = wantsRport || socketAddress(via.host) !== address;
  if (!wantsRport && (!wantsReceived || params.get('received') === address)) return;
  if (wantsReceived) params.set('received', address);
  if (wantsRport) params.set('rport', String(source.port));

  const at = req.headers.findIndex((h) => h.key === 'via');
  const line = req.headers[at];
  const values = splitList(line.value);
  values[0] = formatVia({ ...via, params });
  const headers = req.headers.slice();
  headers[at] = { name: line.name, key: line.key, value: values.join(', ') };
  // SipMessage cannot replace one line in place; removeHeader() is what drops the cached Via.
  req.removeHeader('via');
  req.headers = headers;
}
