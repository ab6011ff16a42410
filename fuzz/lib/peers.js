/**
 * The other side of a sealed Herald: whoever its requests go to. A request sent to a Herald's
 * own listening address reaches that Herald (loops and spirals run as they would); a request
 * to anywhere else is answered as a phone would, after a turn of the event loop: an INVITE with
 * 180 then a final response, others with a final response, the status picked by the branch so
 * that a replay answers the same way; an ACK gets nothing. So a forwarded request finishes at
 * once instead of waiting 32 s for Timer F, and the response path is fuzzed too.
 */
import { SipError, createResponse, parseMessage } from '@herald/sip';

const FINAL = [200, 200, 202, 404, 408, 480, 486, 503, 603];

function pick(text) {
  let h = 7;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return FINAL[(h >>> 0) % FINAL.length];
}

/**
 * @param servers the running servers, each `{ socket, address, port }` of its UDP listener
 * @returns deliver(data, address, port, fromSocket): what to do with one datagram a Herald sent
 */
export function peers(servers) {
  const emit = (socket, data, address, port) => {
    const family = address.includes(':') ? 'IPv6' : 'IPv4';
    setImmediate(() => socket.emit('message', data, { address, family, port, size: data.length }));
  };
  return function deliver(data, address, port, from) {
    const self = servers.find((s) => s.port === port && (address === s.address || address === `::ffff:${s.address}`));
    const sender = servers.find((s) => s.socket === from);
    if (self) {
      emit(self.socket, data, sender?.address ?? '127.0.0.1', sender?.port ?? port);
      return;
    }
    if (data.subarray(0, 8).toString('latin1') === 'SIP/2.0 ') return;
    let req;
    try {
      req = parseMessage(data, { datagram: true });
    } catch (e) {
      if (e instanceof SipError) return; // the target reports a request Herald should not have sent
      throw e;
    }
    if (!req.isRequest() || req.method === 'ACK') return;
    let status;
    try {
      status = pick(req.topVia.params.get('branch') ?? req.callId);
    } catch {
      return;
    }
    if (req.method === 'INVITE') emit(from, createResponse(req, 180).toBuffer(), address, port);
    emit(from, createResponse(req, req.method === 'CANCEL' ? 200 : status).toBuffer(), address, port);
  };
}
