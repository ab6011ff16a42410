import { subscription } from '../../test/helpers/presence-requests.js';
import { localMemberEntry, remoteMemberEntry, terminatedEntry } from './list-member-entry.js';
import { newDialog } from './remote-dialog.js';

const PIDF = '<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:dave@example.net"><tuple id="t"><status><basic>open</basic></status></tuple></presence>';
const remote = (status: 'active' | 'pending' | 'terminated', data: Record<string, unknown> = {}, document: string | null = PIDF) =>
  subscription({ resource: 'sip:dave@example.net', status, data: { listOf: 'l1', remote: { ...newDialog('sip:dave@example.net'), document }, ...data } });

describe('RFC 4662 §5.2 a member as a list NOTIFY shows it', () => {
  it('shows a local member with the document its package writes, none while pending', () => {
    const body = () => ({ contentType: 'application/pidf+xml', body: '<presence/>' });
    expect(localMemberEntry(subscription(), body)).toEqual({ uri: 'sip:bob@example.com', state: 'active', part: { contentType: 'application/pidf+xml', body: '<presence/>' } });
    expect(localMemberEntry(subscription({ status: 'pending' }), () => null)).toEqual({ uri: 'sip:bob@example.com', state: 'pending', part: null });
  });

  it('shows a member in another domain with its document as written there, or converted', () => {
    expect(remoteMemberEntry(remote('active'))).toEqual({ uri: 'sip:dave@example.net', state: 'active', part: { contentType: 'application/pidf+xml', body: PIDF } });
    const xpidf = remoteMemberEntry(remote('active', { format: 'application/xpidf+xml' }));
    expect(xpidf.part?.contentType).toBe('application/xpidf+xml');
    expect(xpidf.part?.body).toContain('<presence>');
  });

  it('shows no document while pending or before one came, and the reason once terminated', () => {
    expect(remoteMemberEntry(remote('pending')).part).toBeNull();
    expect(remoteMemberEntry(remote('active', {}, null))).toEqual({ uri: 'sip:dave@example.net', state: 'active', part: null });
    expect(remoteMemberEntry(remote('terminated', { reason: 'probation' }))).toEqual(terminatedEntry('sip:dave@example.net', 'probation'));
    expect(remoteMemberEntry(remote('terminated'))).toEqual(terminatedEntry('sip:dave@example.net', 'noresource'));
  });
});
