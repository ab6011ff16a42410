import type { Publication } from '@herald/store';
import { NOW, rejection } from '../../test/helpers/presence-requests.js';
import { applyPublish } from './apply-publish.js';

const BOB = 'sip:bob@example.com';
const previous: Publication = { resource: BOB, event: 'presence', etag: 'e1', contentType: 'application/pidf+xml', body: '<presence/>', expiresAt: NOW + 60_000, updatedAt: NOW - 10_000 };

describe('RFC 3903 §6 steps 6–7 the publication a PUBLISH leaves', () => {
  it('stores a new publication under the new entity-tag, and tells its watchers', () => {
    expect(applyPublish(undefined, { ifMatch: null, expires: 120, body: '<a/>' }, BOB, 'e2', NOW)).toEqual({
      next: { resource: BOB, event: 'presence', etag: 'e2', contentType: 'application/pidf+xml', body: '<a/>', expiresAt: NOW + 120_000, updatedAt: NOW },
      changed: true,
    });
  });

  it('refreshes without a body: the same document and its time, a new entity-tag and expiry, nothing for watchers', () => {
    expect(applyPublish(previous, { ifMatch: 'e1', expires: 300, body: null }, BOB, 'e3', NOW)).toEqual({
      next: { ...previous, etag: 'e3', expiresAt: NOW + 300_000 },
      changed: false,
    });
  });

  it('modifies with a body: watchers are told only when the document differs', () => {
    expect(applyPublish(previous, { ifMatch: 'e1', expires: 300, body: '<b/>' }, BOB, 'e4', NOW)).toMatchObject({ next: { body: '<b/>', updatedAt: NOW }, changed: true });
    expect(applyPublish(previous, { ifMatch: 'e1', expires: 300, body: '<presence/>' }, BOB, 'e5', NOW).changed).toBe(false);
  });
});

describe('RFC 3903 §6 step 3 SIP-If-Match', () => {
  it('answers 412 when the entity-tag names no live publication', () => {
    const e = rejection(() => applyPublish(undefined, { ifMatch: 'gone', expires: 300, body: null }, BOB, 'e6', NOW));
    expect(e.status).toBe(412);
  });
});
