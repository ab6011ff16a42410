import { rejection, subscribeRequest } from '../../test/helpers/presence-requests.js';
import { listFormat, requestedList } from './read-list-subscribe.js';

const LIST = '<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list><entry uri="sip:bob@example.com"/></list></resource-lists>';

describe('RFC 5367 §4 a list carried in a SUBSCRIBE', () => {
  it('is there only with Require: recipient-list-subscribe', () => {
    expect(requestedList(subscribeRequest(['Content-Type: application/resource-lists+xml'], { body: LIST }))).toBeNull();
    expect(requestedList(subscribeRequest(['Require: recipient-list-subscribe', 'Content-Type: application/resource-lists+xml'], { body: LIST }))).toEqual(['sip:bob@example.com']);
  });

  it('answers 415 with Accept for another body type, 400 for a body that is not a list', () => {
    const e = rejection(() => requestedList(subscribeRequest(['Require: recipient-list-subscribe', 'Content-Type: application/xml'], { body: LIST })));
    expect(e.status).toBe(415);
    expect(e.headers).toContainEqual(['Accept', 'application/resource-lists+xml']);
    const bad = rejection(() => requestedList(subscribeRequest(['Require: recipient-list-subscribe', 'Content-Type: application/resource-lists+xml'], { body: '<list/>' })));
    expect(bad.status).toBe(400);
    expect(bad.reason).toMatch(/^Bad resource list: /);
  });
});

describe('RFC 4662 §4.6 a watcher of a list', () => {
  it('must support eventlist: 421 with Require: eventlist', () => {
    const e = rejection(() => listFormat([], []));
    expect(e.status).toBe(421);
    expect(e.headers).toContainEqual(['Require', 'eventlist']);
  });

  it('must accept multipart/related when it sends Accept: 406 otherwise', () => {
    const e = rejection(() => listFormat(['eventlist'], ['application/pidf+xml']));
    expect(e.status).toBe(406);
    expect(e.headers).toContainEqual(['Accept', 'multipart/related, application/rlmi+xml, application/pidf+xml, application/cpim-pidf+xml, application/xpidf+xml']);
  });

  it('gets the members in the first other format it accepts, PIDF otherwise', () => {
    expect(listFormat(['eventlist'], [])).toBe('application/pidf+xml');
    expect(listFormat(['eventlist'], ['multipart/related', 'application/rlmi+xml', 'application/xpidf+xml'])).toBe('application/xpidf+xml');
    expect(listFormat(['eventlist'], ['multipart/related', 'text/plain'])).toBe('application/pidf+xml');
  });
});
