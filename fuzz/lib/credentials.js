/**
 * Lets fuzzed requests past digest authentication: a fuzzer cannot compute an MD5 or SHA-256
 * digest, so an input asks for one. In an Authorization or Proxy-Authorization header,
 * `nonce="current"` becomes the last nonce Herald challenged with, and `response="sign"` the
 * response a client with the right password would send for the header's other parameters
 * (username, realm, uri, algorithm, qop, cnonce), with a fresh nc so that it is no replay.
 * Everything else in the input stays as the fuzzer wrote it.
 * @see RFC 7616 §3.4, RFC 3261 §22.4
 */
import { digestResponse, ha1, parseDigestAlgorithm } from '@herald/sip';

const PASSWORDS = { alice: 'alice secret', bob: 'bob secret' };
const CREDENTIALS = /^((?:proxy-)?authorization[ \t]*:[ \t]*digest[ \t]+)(.*)$/gim;

export class Credentials {
  nonce = 'no-challenge-seen-yet';
  nc = 0;

  /** Notes the nonce of a 401/407 Herald sent. */
  observe(text) {
    const challenge = /^(?:www|proxy)-authenticate[ \t]*:[ \t]*digest[^\r\n]*?nonce="([^"\r\n]*)"/im.exec(text);
    if (challenge) this.nonce = challenge[1];
  }

  /** The input with its credentials signed, or the input itself when it asks for none. */
  sign(data) {
    const text = data.toString('latin1');
    if (!text.includes('response="sign"')) return data;
    const head = text.indexOf('\r\n\r\n');
    const method = text.slice(0, text.indexOf(' '));
    const headers = head < 0 ? text : text.slice(0, head);
    const body = head < 0 ? '' : text.slice(head + 4);
    const signed = headers.replace(CREDENTIALS, (_, name, params) => name + this.signParams(params, method, body));
    return Buffer.from(signed + (head < 0 ? '' : text.slice(head)), 'latin1');
  }

  signParams(params, method, body) {
    if (!params.includes('response="sign"')) return params;
    const value = (key) => new RegExp(`(?:^|,)\\s*${key}\\s*=\\s*"?([^",]*)"?`, 'i').exec(params)?.[1];
    let out = params.replace(/nonce="current"/i, `nonce="${this.nonce}"`);
    const qop = value('qop');
    const nc = (++this.nc).toString(16).padStart(8, '0');
    if (qop) out = /nc=/i.test(out) ? out.replace(/nc=[0-9a-fA-F]*/i, `nc=${nc}`) : `${out}, nc=${nc}`;
    const username = value('username') ?? '';
    const realm = value('realm') ?? '';
    const algorithm = parseDigestAlgorithm(value('algorithm')) ?? 'MD5';
    const response = digestResponse({
      algorithm,
      ha1: ha1(algorithm, username, realm, PASSWORDS[username] ?? 'wrong'),
      method,
      uri: value('uri') ?? '',
      nonce: new RegExp('nonce="([^"]*)"', 'i').exec(out)?.[1] ?? '',
      qop: qop === 'auth' || qop === 'auth-int' ? qop : null,
      nc,
      cnonce: value('cnonce'),
      body: Buffer.from(body, 'latin1'),
    });
    return out.replace('response="sign"', `response="${response}"`);
  }
}
