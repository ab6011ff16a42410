import { type AuthHeader, digestResponse, ha1 } from '@herald/sip';

/** Digest credentials (MD5, qop=auth, nc 1) answering the MD5 one of `challenges`. @see RFC 7616 §3.4 */
export function digestCredentials(challenges: AuthHeader[], account: { user: string; domain: string; password: string }, method: string, uri: string): string {
  const { user, domain, password } = account;
  const md5 = challenges.find((c) => (c.params.get('algorithm') ?? 'MD5') === 'MD5');
  if (!md5) throw new Error('no MD5 challenge');
  const nonce = md5.params.get('nonce')!;
  const response = digestResponse({ algorithm: 'MD5', ha1: ha1('MD5', user, domain, password), method, uri, nonce, qop: 'auth', nc: '00000001', cnonce: 'c0ffee' });
  return `Digest username="${user}", realm="${domain}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5, qop=auth, nc=00000001, cnonce="c0ffee"`;
}
