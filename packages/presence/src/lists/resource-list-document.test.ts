import { InvalidResourceList, parseResourceList } from './resource-list-document.js';

describe('RFC 4826 §3.2 resource-lists documents', () => {
  it('flattens nested lists into their entries, each once, in document order', () => {
    const doc = `<?xml version="1.0" encoding="UTF-8"?>
<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists" xmlns:cp="urn:ietf:params:xml:ns:copycontrol">
  <list>
    <entry uri="sip:bill@example.com" cp:copyControl="to"/>
    <list name="friends">
      <entry uri="sip:joe@example.org"/>
      <entry uri="sip:bill@example.com"/>
      <entry-ref ref="resource-lists/users/sip:bill@example.com/index/~~/resource-lists/list%5b@name=%22list1%22%5d/entry%5b1%5d"/>
      <external anchor="http://xcap.example.org/resource-lists/users/sip:a@example.org/index/~~/resource-lists/list%5b@name=%22mkt%22%5d"/>
    </list>
    <entry uri=""/>
  </list>
</resource-lists>`;
    expect(parseResourceList(doc)).toEqual(['sip:bill@example.com', 'sip:joe@example.org']);
  });

  it('refuses a document whose root is not resource-lists, or that is not XML', () => {
    expect(() => parseResourceList('<list><entry uri="sip:a@example.com"/></list>')).toThrow(new InvalidResourceList('root element is not <resource-lists>'));
    expect(() => parseResourceList('<resource-lists')).toThrow(InvalidResourceList);
  });
});
