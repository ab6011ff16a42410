import { type AuthHeader, type SipRequest, type SipResponse, createResponse } from '@herald/sip';
import { StreamClient, requestText } from '@herald/test-kit';
import { digestCredentials } from './digest-credentials.js';

/**
 * A scripted softphone on one TCP (or TLS) connection: it registers over it (answering the digest
 * challenge) and takes requests on it, the way a phone behind NAT is reachable only over
 * the connection it registered on.
 */
export class TcpPhone {
  private constructor(
    readonly client: StreamClient,
    readonly user: string,
    readonly transport: 'tcp' | 'tls' = 'tcp',
  ) {}

  private password = '';
  private domain = 'example.com';
  private cseq = 0;

  /** Connects (over TCP, or TLS) without registering: a phone that only sends. */
  static async connect(port: number, user: string, password: string, domain = 'example.com', transport: 'tcp' | 'tls' = 'tcp'): Promise<TcpPhone> {
    const phone = new TcpPhone(await StreamClient.connect(transport, port), user, transport);
    phone.password = password;
    phone.domain = domain;
    return phone;
  }

  static async register(port: number, user: string, password: string, domain = 'example.com', transport: 'tcp' | 'tls' = 'tcp'): Promise<TcpPhone> {
    const phone = await TcpPhone.connect(port, user, password, domain, transport);
    const via = transport.toUpperCase();
    const client = phone.client;
    const local = client.socket.localPort;
    const base = {
      method: 'REGISTER',
      uri: `sip:${domain}`,
      transport: via,
      sentBy: `127.0.0.1:${local}`,
      callId: `reg-${user}-${local}`,
      headers: [`Contact: <sip:${user}@127.0.0.1:${local};transport=${transport}>`, 'Expires: 300', 'User-Agent: TcpPhone'],
    };
    const named = (text: string) => text.replace('From: <sip:alice@herald.test>;tag=a1', `From: <sip:${user}@${domain}>;tag=r1`).replace('To: <sip:bob@herald.test>', `To: <sip:${user}@${domain}>`);
    await client.write(named(requestText({ ...base, cseq: 1 })));
    const challenge = (await client.nextMessage(5000)) as SipResponse;
    if (challenge.status !== 401) throw new Error(`REGISTER got ${challenge.status}, not 401`);
    const authorization = `Authorization: ${phone.credentials(challenge.wwwAuthenticate, 'REGISTER', base.uri)}`;
    await client.write(named(requestText({ ...base, cseq: 2, headers: [...base.headers, authorization] })));
    const ok = (await client.nextMessage(5000)) as SipResponse;
    if (ok.status !== 200) throw new Error(`REGISTER with credentials got ${ok.status}`);
    return phone;
  }

  /**
   * Sends a MESSAGE to `to` from this phone's user, answering the 407 challenge, and resolves
   * with the final response.
   */
  sendMessage(to: string, body: string | Buffer, contentType = 'text/plain', extraHeaders: string[] = []): Promise<SipResponse> {
    return this.sendRequest('MESSAGE', to, body, [`Content-Type: ${contentType}`, ...extraHeaders]);
  }

  /** Sends `method` to `to` from this phone's user, with this phone as Contact, answering the 407 challenge; resolves with the final response. */
  async sendRequest(method: string, to: string, body: string | Buffer = '', extraHeaders: string[] = []): Promise<SipResponse> {
    const callId = `${method.toLowerCase()}-${this.user}-${++this.cseq}-${Date.now()}`;
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const write = async (cseq: number, auth: string[]) => {
      const head = [
        `${method} ${to} SIP/2.0`,
        `Via: SIP/2.0/${this.transport.toUpperCase()} 127.0.0.1:${this.client.socket.localPort};branch=z9hG4bK${callId}-${cseq}`,
        'Max-Forwards: 70',
        `From: <sip:${this.user}@${this.domain}>;tag=${this.user}t`,
        `To: <${to}>`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} ${method}`,
        `Contact: <sip:${this.user}@127.0.0.1:${this.client.socket.localPort};transport=${this.transport}>`,
        'User-Agent: TcpPhone',
        ...extraHeaders,
        ...auth,
        `Content-Length: ${bytes.length}`,
      ].join('\r\n');
      await this.client.write(Buffer.concat([Buffer.from(head + '\r\n\r\n'), bytes]));
    };
    const final = async () => {
      for (;;) {
        const m = await this.client.nextMessage(10_000);
        if (!m.isRequest() && m.header('call-id') === callId && (m).status >= 200) return m;
      }
    };
    await write(1, []);
    const first = await final();
    if (first.status !== 407) return first;
    await write(2, [`Proxy-Authorization: ${this.credentials(first.proxyAuthenticate, method, to)}`]);
    return final();
  }

  private credentials(challenges: AuthHeader[], method: string, uri: string): string {
    return digestCredentials(challenges, { user: this.user, domain: this.domain, password: this.password }, method, uri);
  }

  /** The next request Herald sends this phone. */
  async nextRequest(timeoutMs = 10_000): Promise<SipRequest> {
    for (;;) {
      const message = await this.client.nextMessage(timeoutMs);
      if (message.isRequest()) return message;
    }
  }

  /** Answers `req` with `status`, with its Record-Route (RFC 3261 §12.1.1) and this phone as Contact. */
  async answer(req: SipRequest, status = 200, reason?: string): Promise<void> {
    const headers: Array<[string, string]> = req.headerValues('record-route').map((rr) => ['Record-Route', rr]);
    headers.push(['Contact', `<sip:${this.user}@127.0.0.1:${this.client.socket.localPort};transport=${this.transport}>`]);
    await this.client.write(createResponse(req, status, reason, { headers }).toBuffer());
  }

  close(): void {
    this.client.destroy();
  }
}
