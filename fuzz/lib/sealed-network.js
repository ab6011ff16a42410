/**
 * Keeps a fuzzed Herald off the network. A fuzzed request can name any host as its target
 * (Request-URI, Route, Contact): none of that may leave this process. Installed before Herald
 * is loaded:
 * - every UDP datagram Herald sends is handed to `outbox` instead (and reported sent), with the
 *   socket that sent it;
 * - a UDP socket's connect (the DNS client's, RFC 3263) connects nowhere, and a datagram sent
 *   on it fails as an ICMP port unreachable would: the socket emits ECONNREFUSED;
 * - every TCP/TLS connect fails at once with ECONNREFUSED;
 * - name lookups answer only IP literals and `localhost`, anything else ENOTFOUND.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import dnsPromises from 'node:dns/promises';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

/** Every socket `dgram.createSocket` made since the seal, in order. */
export const udpSockets = [];

/** @param outbox called with (data, address, port, socket) for each datagram sent */
export function sealNetwork(outbox) {
  const createSocket = dgram.createSocket;
  dgram.createSocket = function (...args) {
    const socket = createSocket.apply(this, args);
    // The fuzzer ends when its inputs do, not when Herald stops listening.
    socket.unref();
    udpSockets.push(socket);
    return socket;
  };
  dgram.Socket.prototype.connect = function (_port, _address, callback) {
    if (typeof callback === 'function') process.nextTick(callback);
  };
  dgram.Socket.prototype.send = function (data, ...args) {
    if (args.length === 0 || typeof args[0] === 'function') {
      const error = Object.assign(new Error('sealed network: port unreachable'), { code: 'ECONNREFUSED' });
      process.nextTick(() => this.emit('error', error));
      return;
    }
    // Herald's form: send(data, port, address, callback)
    const [port, address, callback] = args;
    if (typeof port !== 'number' || typeof address !== 'string') throw new Error(`sealed network: unexpected send(${args.map((a) => typeof a).join(', ')})`);
    outbox(Buffer.isBuffer(data) ? data : Buffer.from(data), address, port, this);
    if (typeof callback === 'function') process.nextTick(callback, null, data.length);
  };
  net.Socket.prototype.connect = function () {
    const error = Object.assign(new Error('sealed network: connect refused'), { code: 'ECONNREFUSED' });
    process.nextTick(() => this.destroy(error));
    return this;
  };
  const answer = (host) => {
    if (host === 'localhost') return { address: '127.0.0.1', family: 4 };
    const family = net.isIP(host);
    if (family !== 0) return { address: host, family };
    throw Object.assign(new Error(`sealed network: getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });
  };
  const lookup = async (host, options) => {
    const found = answer(host);
    return typeof options === 'object' && options?.all ? [found] : found;
  };
  dnsPromises.lookup = lookup;
  dns.promises.lookup = lookup;
  dns.lookup = (host, options, callback) => {
    const cb = typeof options === 'function' ? options : callback;
    lookup(host, options).then(
      (found) => (Array.isArray(found) ? cb(null, found) : cb(null, found.address, found.family)),
      (error) => cb(error),
    );
  };
  syncBuiltinESMExports();
}
