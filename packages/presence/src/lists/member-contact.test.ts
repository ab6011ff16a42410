import { parseUri } from '@herald/sip';
import { identity } from '../../test/helpers/presence-requests.js';
import { memberContactUser, memberIdOf } from './member-contact.js';

describe('RFC 4662 §4.4 the Contact of a list member subscription', () => {
  it('names the member record, so that any worker finds it from the NOTIFY Request-URI', () => {
    const id = 'c1;w1;h1|sip:dave@example.net';
    expect(memberIdOf(parseUri(`sip:${memberContactUser(id)}@192.0.2.1:5060;transport=tcp`), identity())).toBe(id);
  });

  it('is no member record when it is not Herald own address or not an rls- user', () => {
    expect(memberIdOf(parseUri(`sip:${memberContactUser('x')}@198.51.100.1`), identity())).toBeNull();
    expect(memberIdOf(parseUri('sip:bob@192.0.2.1'), identity())).toBeNull();
  });
});
