import { type SipRequest, type SipResponse, digestResponse, ha1 } from '@herald/sip';
import { StreamClient, requestText } from '@herald/test-kit';

const COPIED = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'record-route']);

/**
 * A scripted softphone on one TCP connection: it registers over it (answering the digest
 * challenge) and takes requests on it, the way a phone behind NAT is reachable only over
 * the connection it registered on.
 */
export class TcpPhone {
  private constructor(
    readonly client: StreamClient,
    readonly user: string,
  ) {}

  static async register(port: number, user: string, password: string, domain = 'example.com'): Promise<TcpPhone> {
    const client = await StreamClient.connect('tcp', port);
    const phone = new TcpPhone(client, user);
    const local = client.socket.localPort;
    const base = {
      method: 'REGISTER',
      uri: `sip:${domain}`,
      transport: 'TCP',
      sentBy: `127.0.0.1:${local}`,
      callId: `reg-${user}-${local}`,
      headers: [`Contact: <sip:${user}@127.0.0.1:${local};transport=tcp>`, 'Expires: 300', 'User-Agent: TcpPhone'],
    };
    const named = (text: string) => text.replace('From: <sip:alice@herald.test>;tag=a1', `From: <sip:${user}@${domain}>;tag=r1`).replace('To: <sip:bob@herald.test>', `To: <sip:${user}@${domain}>`);
    await client.write(named(requestText({ ...base, cseq: 1 })));
    const challenge = (await client.nextMessage(5000)) as SipResponse;
    if (challenge.status !== 401) throw new Error(`REGISTER got ${challenge.status}, not 401`);
    const md5 = challenge.wwwAuthenticate.find((c) => (c.params.get('algorithm') ?? 'MD5') === 'MD5');
    if (!md5) throw new Error('no MD5 challenge');
    const nonce = md5.params.get('nonce')!;
    const response = digestResponse({ algorithm: 'MD5', ha1: ha1('MD5', user, domain, password), method: 'REGISTER', uri: base.uri, nonce, qop: 'auth', nc: '00000001', cnonce: 'c0ffee' });
    const authorization = `Authorization: Digest username="${user}", realm="${domain}", nonce="${nonce}", uri="${base.uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="c0ffee"`;
    await client.write(named(requestText({ ...base, cseq: 2, headers: [...base.headers, authorization] })));
    const ok = (await client.nextMessage(5000)) as SipResponse;
    if (ok.status !== 200) throw new Error(`REGISTER with credentials got ${ok.status}`);
    return phone;
  }

  /** The next request Herald sends this phone. */
  async nextRequest(timeoutMs = 10_000): Promise<SipRequest> {
    for (;;) {
      const message = await this.client.nextMessage(timeoutMs);
      if (message.isRequest()) return message;
    }
  }

  /** Answers `req` with `status`, copying what a response copies (RFC 3261 §8.2.6.2), with this phone as Contact. */
  async answer(req: SipRequest, status = 200, reason = 'OK'): Promise<void> {
    const copied = req.headers.filter((h) => COPIED.has(h.key)).map((h) => `${h.name}: ${h.value}${h.key === 'to' && !req.to.params.has('tag') ? ';tag=p1' : ''}`);
    const contact = `Contact: <sip:${this.user}@127.0.0.1:${this.client.socket.localPort};transport=tcp>`;
    await this.client.write([`SIP/2.0 ${status} ${reason}`, ...copied, contact, 'Content-Length: 0', '', ''].join('\r\n'));
  }

  close(): void {
    this.client.destroy();
  }
}
