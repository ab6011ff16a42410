import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { type SipMessage, type SipRequest, type SipResponse, type Via, createResponse } from '@herald/sip';
import { type Clock, systemClock } from '../clock.js';
import { type Destination, type Flow, flowDestination } from '../flow/flow.js';
import { workerName } from '../flow/worker-name.js';
import { type Connection, tlsCheckKey } from './connection.js';
import { ConnectionTable } from './connection-table.js';
import { decodeMessage } from './decode-message.js';
import type { Listener, ListenerInfo, ListenSpec } from './listener.js';
import { DEFAULT_REQUEST_BUDGET, type RequestBudget, SourceBudget } from './request-budget.js';
import { responseDestination } from './response-destination.js';
import { socketAddress } from './socket-address.js';
import { type PrivateAnchors, connectStream } from './stream-connect.js';
import { StreamConnection } from './stream-connection.js';
import { StreamTransport } from './stream-transport.js';
import type { TlsOptions } from './tls-options.js';
import type { TransportContext } from './transport-context.js';
import { TransportError } from './transport-error.js';
import { type LimitName, type TransportLimits, resolveLimits } from './transport-limits.js';
import { type TransportLogger, debugEnabled, silentLogger } from './transport-logger.js';
import { DEFAULT_UDP_BUFFER_SIZES, UdpTransport, type UdpBufferSizes, isUdpFlowId } from './udp-transport.js';
import { WsTransport } from './ws-transport.js';
import { checkListenSpecs, checkUdpBuffers } from './check-listen-specs.js';

/** Options of a `TransportLayer`. */
export interface TransportLayerOptions {
  listen: ListenSpec[];
  /** Certificate and key for TLS and WSS listeners, and for TLS connections Herald opens. */
  tls?: TlsOptions;
  /** Defaults in `DEFAULT_TRANSPORT_LIMITS`; `maxBodySize` defaults to `maxMessageSize`. */
  limits?: Partial<TransportLimits>;
  /** Requests per source address, checked before parsing (`DEFAULT_REQUEST_BUDGET` when not given). */
  requestBudget?: RequestBudget;
  /** A limit refused or closed something from `source`; called for every refusal, so keep it cheap. */
  onLimit?(limit: LimitName, source: string): void;
  /** Kernel buffer sizes of every UDP socket, in bytes (default 4 MiB each). */
  udpBuffers?: Partial<UdpBufferSizes>;
  /** Every message received; a request has `received`/`rport` in its top Via. */
  onMessage(message: SipRequest | SipResponse, flow: Flow): void;
  logger?: TransportLogger;
  /** Longest wait for an outgoing TCP connect or TLS handshake (default 10000 ms). */
  connectTimeoutMs?: number;
  clock?: Clock;
  /**
   * Where a response goes when its Via sent-by is a host name with no `received` (RFC 3263
   * §5: SRV, then A/AAAA); the OS resolver's A/AAAA when absent.
   */
  sentByResolver?: { resolveSentBy(via: Via): Promise<Destination[]> };
  /** This worker's name, the owner of its flows; a new `workerName()` by default. */
  owner?: string;
  /**
   * Sources to refuse at accept (TCP, TLS, WS, WSS), before anything else: the socket is
   * destroyed and counted as `refusedSource`. Replaceable with `useSourceFilter`.
   */
  refuseSource?: (address: string) => boolean;
  /** CAs that may vouch only for some domains on connections Herald opens over TLS (a federation peer's own CA). */
  privateAnchors?: PrivateAnchors;
}

/**
 * The transport layer: listens on UDP, TCP, TLS, WS and WSS, hands every received message
 * to `onMessage` with its flow, and sends messages the way RFC 3261 §18 says: responses
 * back on the connection of their request or to the Via's received/rport, requests over
 * a reused or new connection.
 * @see RFC 3261 §18, RFC 3581, RFC 5626 §4.4.1, RFC 7118
 */
export class TransportLayer {
  private readonly limits: TransportLimits;
  private readonly logger: TransportLogger;
  private readonly table: ConnectionTable;
  private readonly budget: SourceBudget;
  private readonly clock: Clock;
  private readonly ctx: TransportContext;
  private readonly bound: Listener[] = [];
  private readonly udp: UdpTransport[] = [];
  private readonly connecting = new Map<string, Promise<Connection>>();
  private readonly flowIdPrefix = randomBytes(4).toString('hex');
  private flowSeq = 0;
  private refuseSource: ((address: string) => boolean) | undefined;
  private readonly flowClosedListeners: Array<(flow: Flow) => void> = [];
  private state: 'new' | 'starting' | 'started' | 'stopped' = 'new';

  constructor(private readonly options: TransportLayerOptions) {
    this.limits = resolveLimits(options.limits);
    checkUdpBuffers(options.udpBuffers);
    this.logger = options.logger ?? silentLogger;
    checkListenSpecs(options);
    this.budget = new SourceBudget(options.requestBudget ?? DEFAULT_REQUEST_BUDGET);
    this.clock = options.clock ?? systemClock;
    this.table = new ConnectionTable({
      maxConnectionsPerSource: this.limits.maxConnectionsPerSource,
      maxConnections: this.limits.maxConnections,
      idleTimeoutMs: this.limits.idleTimeoutMs,
      clock: options.clock,
      onClosed: (flow) => this.flowClosed(flow),
    });
    this.ctx = {
      limits: this.limits,
      table: this.table,
      logger: this.logger,
      owner: options.owner ?? workerName(),
      deliver: (data, flow) => this.deliver(data, flow),
      limitHit: options.onLimit ?? (() => undefined),
      nextFlowId: (transport) => `${transport}-${this.flowIdPrefix}-${(++this.flowSeq).toString(36)}`,
      refusesSource: (address) => this.refuseSource?.(address) === true,
    };
    this.refuseSource = options.refuseSource;
  }

  /**
   * Replaces the filter of sources refused at accept (`refuseSource`); `undefined` refuses
   * none. Connections already open stay open (close them with `closeFlow`).
   */
  useSourceFilter(refuseSource: ((address: string) => boolean) | undefined): void {
    this.refuseSource = refuseSource;
  }

  /** Closes a connection-oriented flow this worker holds; false when it holds no such open flow. */
  closeFlow(id: string): boolean {
    const connection = this.table.get(id);
    if (connection === undefined) return false;
    connection.close();
    return true;
  }

  /** The open TLS and WSS flows of this worker whose peer sent a certificate, accepted or opened. @see RFC 5922 §7.1 */
  peerFlows(): Flow[] {
    return this.table.connections().map((c) => c.flow).filter((flow) => flow.peerCertificate !== undefined);
  }

  /** Calls `listener` with each connection-oriented flow that closes (the registrar's RFC 5626 flows). */
  onFlowClosed(listener: (flow: Flow) => void): void {
    this.flowClosedListeners.push(listener);
  }

  /** This worker: the owner of every flow this layer opens or accepts. */
  get owner(): string {
    return this.ctx.owner;
  }

  /** Connections accepted and still open, counted against `maxConnections`. */
  get acceptedConnections(): number {
    return this.table.accepted;
  }

  /** The listeners as bound (actual addresses and ports), in the order of `listen`. */
  get listeners(): ListenerInfo[] {
    return this.bound.map((l) => l.info);
  }

  /** Binds every listener; on a failure, closes what was bound and rejects. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new TransportError('the transport layer can be started once', 'SIP_ERR_TRANSPORT_STATE');
    this.state = 'starting';
    try {
      for (const spec of this.options.listen) {
        const listener = await this.listen(spec);
        this.bound.push(listener);
        if (listener instanceof UdpTransport) this.udp.push(listener);
        this.logger.info('transport: listening', { ...listener.info });
      }
    } catch (err) {
      this.state = 'stopped';
      const bound = this.bound.splice(0);
      this.udp.splice(0);
      await Promise.all(bound.map((l) => l.close()));
      throw err;
    }
    this.state = 'started';
  }

  /**
   * Stops accepting, closes every connection (flushing what was written to it, forced after
   * a short grace period), then closes the listeners.
   */
  async stop(): Promise<void> {
    if (this.state !== 'started') return;
    this.state = 'stopped';
    for (const listener of this.bound) listener.stopAccepting();
    await this.table.closeAll();
    await Promise.all(this.bound.map((l) => l.close()));
  }

  /** The open connection-oriented flow with this id (UDP flows are not kept). */
  flow(id: string): Flow | undefined {
    return this.table.get(id)?.flow;
  }

  /**
   * Sends a message; resolves with the flow it went out on and rejects with a
   * `TransportError` when it could not be sent (RFC 3261 §17.1.4).
   *
   * - A response goes over the connection `flowId` (or the `Flow`) names while it is open;
   *   otherwise, and always for UDP, to the top Via's received/rport or sent-by (RFC 3261
   *   §18.2.2, RFC 3581 §4), over UDP from the socket its request came in on, or over an
   *   open or new TCP/TLS connection.
   * - A request to a `Flow` of TCP, TLS or WebSocket goes on that connection only.
   * - A request to a `Destination` goes over the open flow `flowId` when there is one;
   *   else UDP from the listening socket (of the flow, else of the address family), so
   *   that responses come back to it; TCP/TLS over an open connection to the same address,
   *   port and transport, or a new one; WS/WSS only over an open flow (RFC 7118 §5).
   *
   * DEVIATION(RFC 3261 §18.1.1): a large request is not switched from UDP to TCP here; the
   * caller chooses the transport (and writes it in the Via).
   */
  async send(message: SipMessage, target: Destination | Flow): Promise<Flow> {
    if (this.state !== 'started') throw new TransportError('the transport layer is not running', 'SIP_ERR_TRANSPORT_STATE');
    const data = message.toBuffer();
    const destination = isFlow(target)
      ? { transport: target.transport, address: target.remoteAddress, port: target.remotePort, flowId: target.id }
      : target;
    if (!message.isRequest()) return this.sendResponse(data, message as SipResponse, destination);
    if (isFlow(target) && target.transport !== 'udp') return this.sendOnConnection(data, target.id);
    return this.sendTo(data, destination);
  }

  /**
   * Where the responses to a request received on `flow` go (`message` is the request or one
   * of its responses: they carry the same top Via). Back on the flow while its connection is
   * open, falling back, once it has closed, to the Via's received address at the sent-by port;
   * for UDP the Via's received/rport or sent-by, sent from the socket of the flow.
   * @see RFC 3261 §18.2.2, RFC 3581 §4
   */
  responseDestination(message: SipMessage, flow: Flow): Destination {
    try {
      const destination = responseDestination(message.topVia, flow.id);
      // The same address, once: a transaction keeps its destination for 32 s on UDP.
      if (destination.address === flow.remoteAddress) destination.address = flow.remoteAddress;
      return destination;
    } catch (err) {
      if (flow.transport !== 'udp' && this.table.get(flow.id)) return flowDestination(flow);
      if (err instanceof TransportError) throw err;
      throw new TransportError('response without a usable Via', 'SIP_ERR_TRANSPORT_NO_ROUTE', { cause: err });
    }
  }

  /**
   * Sends serialised bytes to a destination as `send` does, without a promise on the common
   * path (UDP to an IP address): a failure, now or later, goes to `onError`. Never throws.
   */
  transmit(data: Buffer, destination: Destination, onError: (error: Error) => void): void {
    if (this.state !== 'started') {
      onError(new TransportError('the transport layer is not running', 'SIP_ERR_TRANSPORT_STATE'));
      return;
    }
    const { transport, address, flowId } = destination;
    const family = transport === 'udp' ? isIP(address) : 0;
    if (family !== 0 && (flowId === undefined || isUdpFlowId(flowId) || !this.table.get(flowId))) {
      let socket: UdpTransport;
      try {
        socket = this.udpSocket(address, flowId, family as 4 | 6);
      } catch (err) {
        onError(err as Error);
        return;
      }
      socket.transmit(data, address, destination.port, onError);
      return;
    }
    this.sendTo(data, destination).then(undefined, (err: unknown) => onError(err instanceof Error ? err : new Error(String(err))));
  }

  private listen(spec: ListenSpec): Promise<Listener> {
    switch (spec.transport) {
      case 'udp':
        return UdpTransport.listen(spec, this.ctx, {
          receive: this.options.udpBuffers?.receive ?? DEFAULT_UDP_BUFFER_SIZES.receive,
          send: this.options.udpBuffers?.send ?? DEFAULT_UDP_BUFFER_SIZES.send,
        });
      case 'tcp':
      case 'tls':
        return StreamTransport.listen(spec, this.ctx, this.options.tls);
      case 'ws':
      case 'wss':
        return WsTransport.listen(spec, this.ctx, this.options.tls);
    }
  }

  /** The glue from bytes to `onMessage`: everything a client sends ends here, so nothing escapes. */
  private deliver(data: Buffer, flow: Flow): void {
    try {
      const verdict = this.budget.enabled && !isResponse(data) ? this.budget.take(flow.remoteAddress, this.clock.now()) : 'take';
      if (verdict !== 'take') {
        this.ctx.limitHit('rateLimit', flow.remoteAddress);
        if (verdict === 'refuse') this.refuseOverBudget(data, flow);
        return;
      }
      const decoded = decodeMessage(data, flow, isDatagram(flow), this.limits);
      if (decoded.kind === 'message') {
        this.options.onMessage(decoded.message, flow);
      } else if (decoded.kind === 'reply') {
        if (debugEnabled(this.logger)) this.logger.debug('transport: answering a bad request', { flow: flow.id, status: decoded.response.status, reason: decoded.response.reason });
        this.answer(decoded.response, flow);
      } else if (decoded.reason !== null && debugEnabled(this.logger)) {
        this.logger.debug('transport: message dropped', { flow: flow.id, reason: decoded.reason });
      }
    } catch (err) {
      this.logger.error('transport: message handler failed', { flow: flow.id, error: err });
    }
  }

  /** RFC 3261 §21.5.4: 503 with Retry-After, sent without a transaction. */
  private refuseOverBudget(data: Buffer, flow: Flow): void {
    const decoded = decodeMessage(data, flow, isDatagram(flow), this.limits);
    if (decoded.kind !== 'message' || !decoded.message.isRequest() || decoded.message.method === 'ACK') return;
    const retryAfter = String(this.budget.retryAfterSeconds());
    this.answer(createResponse(decoded.message, 503, 'Too Many Requests From This Address', { headers: [['Retry-After', retryAfter]] }), flow);
  }

  private answer(response: SipResponse, flow: Flow): void {
    this.replyOnFlow(response.toBuffer(), flow).catch((err: unknown) => {
      if (debugEnabled(this.logger)) this.logger.debug('transport: could not answer a request', { flow: flow.id, status: response.status, error: err });
    });
  }

  private flowClosed(flow: Flow): void {
    for (const listener of this.flowClosedListeners) {
      try {
        listener(flow);
      } catch (err) {
        this.logger.error('transport: a flow-closed listener failed', { flow: flow.id, error: err });
      }
    }
  }

  /** Answers on exactly the flow a message came in on: for UDP from its socket to its source. */
  private async replyOnFlow(data: Buffer, flow: Flow): Promise<Flow> {
    if (flow.transport === 'udp') return this.udpSocket(flow.remoteAddress, flow.id).send(data, flow.remoteAddress, flow.remotePort);
    return this.sendOnConnection(data, flow.id);
  }

  private async sendOnConnection(data: Buffer, flowId: string): Promise<Flow> {
    const connection = this.table.get(flowId);
    if (!connection) throw new TransportError(`flow ${flowId} is closed`, 'SIP_ERR_TRANSPORT_FLOW_CLOSED');
    await connection.send(data);
    return connection.flow;
  }

  // RFC 3261 §18.2.2, RFC 3581 §4
  private async sendResponse(data: Buffer, response: SipResponse, target: Destination): Promise<Flow> {
    const open = target.flowId === undefined ? undefined : this.table.get(target.flowId);
    if (open) {
      await open.send(data);
      return open.flow;
    }
    const via = response.topViaOrNull;
    if (via === null) throw new TransportError('response without a usable Via', 'SIP_ERR_TRANSPORT_NO_ROUTE');
    const destination = responseDestination(via);
    const resolver = this.options.sentByResolver;
    if (resolver !== undefined && literalAddress(destination.address) === null) return this.sendToSentBy(data, via, resolver, target.flowId);
    if (destination.transport !== 'udp') return this.sendTo(data, destination);
    const address = literalAddress(destination.address) ?? (await this.resolve(destination.address));
    return this.udpSocket(address, target.flowId).send(data, address, destination.port);
  }

  /** RFC 3263 §5: a response to a sent-by host name goes to the first of its destinations that takes it. */
  private async sendToSentBy(data: Buffer, via: Via, resolver: { resolveSentBy(via: Via): Promise<Destination[]> }, flowId?: string): Promise<Flow> {
    let destinations: Destination[];
    try {
      destinations = await resolver.resolveSentBy(via);
    } catch (err) {
      throw new TransportError(`cannot resolve ${via.host}`, 'SIP_ERR_TRANSPORT_RESOLVE', { cause: err });
    }
    let failure: unknown = new TransportError(`cannot resolve ${via.host}`, 'SIP_ERR_TRANSPORT_RESOLVE');
    for (const destination of destinations) {
      try {
        if (destination.transport === 'udp') return await this.udpSocket(destination.address, flowId).send(data, destination.address, destination.port);
        return await this.sendTo(data, destination);
      } catch (err) {
        failure = err;
      }
    }
    throw failure;
  }

  private async sendTo(data: Buffer, destination: Destination): Promise<Flow> {
    const open = destination.flowId === undefined ? undefined : this.table.get(destination.flowId);
    if (open) {
      await open.send(data);
      return open.flow;
    }
    switch (destination.transport) {
      case 'udp': {
        // An address goes out in this turn, so that messages leave in the order they are sent.
        const address = literalAddress(destination.address) ?? (await this.resolve(destination.address));
        return this.udpSocket(address, destination.flowId).send(data, address, destination.port);
      }
      case 'tcp':
      case 'tls': {
        const connection = await this.connectionTo(destination.transport, destination);
        await connection.send(data);
        return connection.flow;
      }
      case 'ws':
      case 'wss':
        // RFC 7118 §5: a SIP WebSocket server cannot open connections to clients.
        throw new TransportError(`no open ${destination.transport} flow ${destination.flowId ?? ''}`.trimEnd(), 'SIP_ERR_TRANSPORT_FLOW_CLOSED');
    }
  }

  /**
   * An open connection to the destination, or a new one; concurrent callers share one
   * connect. A TLS connection serves only destinations with the same server name and check.
   */
  private async connectionTo(transport: 'tcp' | 'tls', destination: Destination): Promise<Connection> {
    const { address: host, port, serverName } = destination;
    const address = literalAddress(host) ?? (await this.resolve(host));
    const secure = transport === 'tls';
    // RFC 5922 §4: a TLS connection serves the domain its certificate was checked against.
    const checked = secure ? (serverName ?? (isIP(socketAddress(host)) === 0 ? host : undefined))?.toLowerCase() : undefined;
    const tlsCheck = secure ? destination.tlsCheck : undefined;
    const open = this.table.find(transport, address, port, checked, tlsCheck);
    if (open) return open;
    const key = `${transport}|${address}|${port}|${checked ?? ''}|${tlsCheckKey(tlsCheck)}`;
    let pending = this.connecting.get(key);
    if (!pending) {
      pending = connectStream(transport, address, port, {
        timeoutMs: this.options.connectTimeoutMs ?? 10_000,
        tls: this.options.tls,
        servername: checked,
        sipDomain: serverName !== undefined,
        tlsCheck,
        privateAnchors: this.options.privateAnchors,
      })
        .then((socket) => {
          if (this.state !== 'started') {
            socket.destroy();
            throw new TransportError('the transport layer is not running', 'SIP_ERR_TRANSPORT_STATE');
          }
          return new StreamConnection(socket, transport, this.ctx, false, checked, tlsCheck);
        })
        .finally(() => this.connecting.delete(key));
      this.connecting.set(key, pending);
    }
    return pending;
  }

  /**
   * The UDP socket to send from: the one a UDP flow `flowId` belongs to when it can reach
   * the address, else the first one of the address family.
   */
  private udpSocket(address: string, flowId?: string, family: 4 | 6 = isIP(address) === 6 ? 6 : 4): UdpTransport {
    if (flowId !== undefined) {
      for (const own of this.udp) if (own.owns(flowId) && own.reaches(family)) return own;
    }
    const socket = this.udp.find((u) => u.family === family) ?? this.udp.find((u) => u.reaches(family));
    if (!socket) throw new TransportError(`no UDP listener for IPv${family}`, 'SIP_ERR_TRANSPORT_NO_LISTENER');
    return socket;
  }

  /** An IP literal as is; a host name through the OS resolver. */
  private async resolve(host: string): Promise<string> {
    const address = socketAddress(host);
    try {
      return socketAddress((await lookup(address)).address);
    } catch (err) {
      throw new TransportError(`cannot resolve ${host}`, 'SIP_ERR_TRANSPORT_RESOLVE', { cause: err });
    }
  }
}

/** `host` as a socket address when it is an IP address, else `null` (a name to resolve). */
function literalAddress(host: string): string | null {
  const address = socketAddress(host);
  return isIP(address) === 0 ? null : address;
}

/** RFC 7118 §5: a WebSocket message holds exactly one SIP message, as a datagram does. */
function isDatagram(flow: Flow): boolean {
  return flow.transport === 'udp' || flow.transport === 'ws' || flow.transport === 'wss';
}

/** A status line starts `SIP/`; a request line starts with its method (RFC 3261 §7.1, §7.2). */
function isResponse(data: Buffer): boolean {
  return data.length > 4 && data[0] === 0x53 && data[1] === 0x49 && data[2] === 0x50 && data[3] === 0x2f;
}

function isFlow(target: Destination | Flow): target is Flow {
  return 'remoteAddress' in target;
}
