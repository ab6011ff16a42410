/**
 * A PIDF document about `user`@example.com (or `user` itself when it has a domain) with one tuple: `basic` in its status, `inTuple`
 * after the status (a note), `extra` after the tuple (a person element; the data-model and
 * RPID namespaces are declared as `dm` and `rpid`).
 */
export function pidf(user: string, basic: 'open' | 'closed', { inTuple = '', extra = '', tupleId = 't' } = {}): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:${user.includes('@') ? user : `${user}@example.com`}">`,
    `<tuple id="${tupleId}"><status><basic>${basic}</basic></status>${inTuple}</tuple>`,
    extra,
    '</presence>',
  ].join('\n');
}
