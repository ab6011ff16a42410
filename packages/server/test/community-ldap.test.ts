import { freePort, type SlapdServer, startSlapd } from '@herald/test-kit';
import { messageFromCommunity, messageToCommunity, uriOf } from './helpers/connector-agent.js';
import { eventually } from './helpers/eventually.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { TcpPhone } from './helpers/tcp-phone.js';
import { UdpAgent } from './helpers/udp-agent.js';

// As community-ids.test.ts, with the mapping in an LDAP directory (a real slapd) instead of
// the store: uid asmith has mail Alice_Smith@acme.test, uid bjones Bob_Jones@acme.test
// (issue 16, "an LDAP directory as the source of the mapping").

const SUFFIX = 'dc=acme,dc=test';
const person = (uid: string, mail: string) =>
  [`dn: uid=${uid},ou=people,${SUFFIX}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${uid}`, `sn: ${uid}`, `mail: ${mail}`].join('\n');
const LDIF = [`dn: ou=people,${SUFFIX}\nobjectClass: organizationalUnit\nou: people`, person('asmith', 'Alice_Smith@acme.test'), person('bjones', 'Bob_Jones@acme.test')].join('\n\n');

const ACCOUNT = 'sip:asmith@dc.acme.test';
const EXTERNAL = 'sip:Alice_Smith@acme.test';

describe('ID conversion from an LDAP directory towards a convertIds community (issue 16)', () => {
  let slapd: SlapdServer;
  let herald: HeraldProcess;
  let connector: UdpAgent;
  let asmith: TcpPhone;
  let bjones: TcpPhone;

  beforeAll(async () => {
    slapd = await startSlapd({ suffix: SUFFIX, ldif: LDIF });
    const connectorPort = await freePort();
    herald = await startHerald(
      `domains: [dc.acme.test, acme.test]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0"]
log: { level: info }
users:
  - { user: asmith, domain: dc.acme.test, password: pw-asmith }
  - { user: bjones, domain: dc.acme.test, password: pw-bjones }
communities:
  enabled: true
  list:
    - { name: chicago, domains: [chi.acme.test], proxies: ["sip:127.0.0.1:${connectorPort}"], trustedIps: [127.0.0.1], convertIds: true, probeInterval: 0 }
directory:
  ldap:
    url: "${slapd.url}"
    bindDn: "${slapd.adminDn}"
    bindPasswordFile: ldap.secret
    baseDn: "ou=people,${SUFFIX}"
    accountAttribute: uid
    accountDomain: dc.acme.test
    externalAttribute: mail
    filter: "(objectClass=inetOrgPerson)"
    cacheTime: 60
`,
      { 'ldap.secret': `${slapd.adminPassword}\n` },
    );
    connector = await UdpAgent.start(herald.port('udp'), connectorPort);
    asmith = await TcpPhone.register(herald.port('tcp'), 'asmith', 'pw-asmith', 'dc.acme.test');
    bjones = await TcpPhone.register(herald.port('tcp'), 'bjones', 'pw-bjones', 'dc.acme.test');
  }, 30_000);

  afterAll(async () => {
    asmith?.close();
    bjones?.close();
    await connector?.close();
    await herald?.stop();
    await slapd?.close();
  });

  describe('the directory answering', () => {
    it('asmith\'s MESSAGE reaches the community From (and P-Asserted-Identity) the mail the directory holds; the 200 comes back with asmith\'s own From', async () => {
      const { response, message } = await messageToCommunity(asmith, connector, herald, 'hello, Chicago');
      expect(uriOf(message.header('from'))).toBe(EXTERNAL);
      expect(message.headerValues('p-asserted-identity')).toEqual([`<${EXTERNAL}>`]);
      expect(message.body.toString('utf8')).toBe('hello, Chicago');
      expect(response.status).toBe(200);
      expect(response.header('from')).toBe(`<${ACCOUNT}>;tag=asmitht`);
    });

    it('a MESSAGE from the community to Alice_Smith@acme.test reaches asmith\'s registered phone', async () => {
      const response = messageFromCommunity(connector, EXTERNAL, 'hi Alice');
      const message = await asmith.nextRequest();
      expect(message.method).toBe('MESSAGE');
      expect(message.body.toString('utf8')).toBe('hi Alice');
      await asmith.answer(message);
      expect((await response).status).toBe(200);
    });
  });

  describe('the directory stopped', () => {
    beforeAll(async () => {
      await slapd.stop();
    });

    it('bjones\'s MESSAGE (never looked up) goes out unconverted, and Herald warns once', async () => {
      const { response, message } = await messageToCommunity(bjones, connector, herald, 'still here');
      expect(uriOf(message.header('from'))).toBe('sip:bjones@dc.acme.test');
      expect(message.body.toString('utf8')).toBe('still here');
      expect(response.status).toBe(200);
      const warnings = await eventually(
        () => herald.stdout.filter((l) => l.includes('the LDAP server cannot be asked')),
        (w) => w.length > 0,
      );
      expect(warnings).toHaveLength(1);
    });

    it('a MESSAGE from the community to Bob_Jones@acme.test finds no mapping: 404, and Herald keeps running', async () => {
      expect((await messageFromCommunity(connector, 'sip:Bob_Jones@acme.test', 'hi Bob')).status).toBe(404);
      expect(herald.child.exitCode).toBeNull();
      expect(herald.stdout.filter((l) => l.includes('the LDAP server cannot be asked'))).toHaveLength(1);
    });

    it('asmith keeps the external form the directory gave within cacheTime', async () => {
      const { response, message } = await messageToCommunity(asmith, connector, herald, 'cached');
      expect(uriOf(message.header('from'))).toBe(EXTERNAL);
      expect(response.status).toBe(200);
    });
  });
});
