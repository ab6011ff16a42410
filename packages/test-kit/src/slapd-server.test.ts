import { startSlapd } from './slapd-server.js';

describe('startSlapd: a real OpenLDAP slapd for directory tests', () => {
  it('serves the entries it was loaded with, and again after a restart on the same port', async () => {
    const slapd = await startSlapd({
      suffix: 'dc=acme,dc=test',
      ldif: ['dn: uid=asmith,dc=acme,dc=test', 'objectClass: inetOrgPerson', 'uid: asmith', 'cn: Alice Smith', 'sn: Smith', 'mail: Alice_Smith@acme.test'].join('\n'),
    });
    try {
      expect(await slapd.search('(uid=asmith)', 'mail')).toEqual(['Alice_Smith@acme.test']);
      await slapd.stop();
      await expect(slapd.search('(uid=asmith)', 'mail')).rejects.toThrow(/ldapsearch failed/);
      await slapd.restart();
      expect(await slapd.search('(mail=alice_smith@acme.test)', 'uid')).toEqual(['asmith']);
    } finally {
      await slapd.close();
    }
  });
});
