import type { Flow } from '../flow/flow.js';
import type { ListenSpec } from './listener.js';
import type { TlsOptions } from './tls-options.js';
import { TransportError } from './transport-error.js';
import type { UdpBufferSizes } from './udp-transport.js';

const TRANSPORTS = new Set<Flow['transport']>(['udp', 'tcp', 'tls', 'ws', 'wss']);

/** Kernel buffer sizes must be positive integers. */
export function checkUdpBuffers(sizes: Partial<UdpBufferSizes> = {}): void {
  for (const [name, value] of Object.entries(sizes)) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) {
      throw new TransportError(`udpBuffers.${name} must be a positive integer, not ${String(value)}`, 'SIP_ERR_TRANSPORT_CONFIG');
    }
  }
}

/** Every listener names a transport, a port, the certificate TLS/WSS need, a path only for WS/WSS, and `clientCert` only for TLS/WSS. */
export function checkListenSpecs(options: { listen: readonly ListenSpec[]; tls?: TlsOptions }): void {
  for (const spec of options.listen) {
    const where = `listen ${spec.transport} ${spec.host}:${spec.port}`;
    if (!TRANSPORTS.has(spec.transport)) throw new TransportError(`${where}: unknown transport`, 'SIP_ERR_TRANSPORT_CONFIG');
    if (!Number.isInteger(spec.port) || spec.port < 0 || spec.port > 65535) {
      throw new TransportError(`${where}: port must be 0..65535`, 'SIP_ERR_TRANSPORT_CONFIG');
    }
    if ((spec.transport === 'tls' || spec.transport === 'wss') && !(options.tls?.cert && options.tls.key)) {
      throw new TransportError(`${where}: tls.cert and tls.key are required`, 'SIP_ERR_TRANSPORT_CONFIG');
    }
    if (spec.clientCert !== undefined && (!['request', 'none'].includes(spec.clientCert) || (spec.transport !== 'tls' && spec.transport !== 'wss'))) {
      throw new TransportError(`${where}: clientCert must be "request" or "none" and is for TLS/WSS only`, 'SIP_ERR_TRANSPORT_CONFIG');
    }
    if (spec.path !== undefined && (!spec.path.startsWith('/') || (spec.transport !== 'ws' && spec.transport !== 'wss'))) {
      throw new TransportError(`${where}: path must start with "/" and is for WS/WSS only`, 'SIP_ERR_TRANSPORT_CONFIG');
    }
  }
}
