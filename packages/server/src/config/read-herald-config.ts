import { resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import type { HeraldConfig } from './herald-config.js';
import { readAdmin } from './sections/read-admin.js';
import { readAuth } from './sections/read-auth.js';
import { readCommunities } from './sections/read-communities.js';
import { readDdns } from './sections/read-ddns.js';
import { readDirectory } from './sections/read-directory.js';
import { readDns } from './sections/read-dns.js';
import { readDomains } from './sections/read-domains.js';
import { readEnum } from './sections/read-enum.js';
import { readFederation } from './sections/read-federation.js';
import { readIm } from './sections/read-im.js';
import { readListen } from './sections/read-listen.js';
import { readLog } from './sections/read-log.js';
import { readPresence } from './sections/read-presence.js';
import { readProxy } from './sections/read-proxy.js';
import { readRegistrar } from './sections/read-registrar.js';
import { readRoutes } from './sections/read-routes.js';
import { readSip } from './sections/read-sip.js';
import { readStore, withRedis } from './sections/read-store.js';
import { readTls } from './sections/read-tls.js';
import { readUsers } from './sections/read-users.js';
import { readWorkers } from './sections/read-workers.js';
import { Problems, allRead, checkKeys, expectMap, expectString } from './validation-kit.js';

const TOP_KEYS = ['domains', 'listen', 'tls', 'store', 'dataDir', 'log', 'sip', 'users', 'auth', 'registrar', 'proxy', 'routes', 'enum', 'im', 'presence', 'workers', 'admin', 'redis', 'dns', 'ddns', 'federation', 'communities', 'directory'] as const;

/**
 * Reads the configuration's top-level mapping, section by section, into the types of the
 * packages each section configures; relative paths start at `baseDir`.
 *
 * @throws ConfigError listing every problem found.
 */
export function readHeraldConfig(raw: unknown, source: string | undefined, baseDir: string): HeraldConfig {
  const problems = new Problems();
  const top = problems.check(() => expectMap('', raw ?? {})) ?? {};
  checkKeys('', top, TOP_KEYS, problems);

  const domains = readDomains(top.domains, problems);
  const listen = readListen(top.listen, problems);
  const tls = readTls(top.tls, listen ?? [], baseDir, problems);
  const store = withRedis(problems.check(() => readStore(top.store ?? 'embedded')), top.redis, problems);
  const dataDir = problems.check(() => resolve(baseDir, expectString('dataDir', top.dataDir ?? './data')));
  const log = readLog(top.log, problems);
  const sip = readSip(top.sip, problems);
  const users = readUsers(top.users, domains ?? [], problems);
  const auth = readAuth(top.auth, domains ?? [], problems);
  const registrar = readRegistrar(top.registrar, problems);
  const proxy = readProxy(top.proxy, problems);
  const im = readIm(top.im, sip?.limits, problems);
  const presence = readPresence(top.presence, domains ?? [], problems);
  const routes = readRoutes(top.routes, domains ?? [], problems);
  const enumConfig = readEnum(top.enum, problems);
  const federationTls = { certificate: top.tls != null, listener: (listen ?? []).some((l) => l.transport === 'tls') };
  const federation = readFederation(top.federation, domains ?? [], baseDir, federationTls, problems);
  const communities = readCommunities(top.communities, domains ?? [], baseDir, federationTls, { peers: federation?.peers ?? [], routes: routes ?? [] }, problems);
  const dns = readDns(top.dns, problems);
  const workers = store === undefined ? undefined : problems.check(() => readWorkers(top.workers ?? 'auto', store));
  const admin = readAdmin(top.admin, problems);
  const ddns = readDdns(top.ddns, baseDir, problems);
  const directory = readDirectory(top.directory, domains ?? [], baseDir, problems);

  const config = allRead({ domains, listen, store, dataDir, log, sip, users, auth, registrar, proxy, im, presence, routes, enum: enumConfig, federation, communities, dns, workers });
  if (problems.list.length > 0 || config === undefined) throw ConfigError.collect(source ?? 'configuration', problems.list);
  return { source, ...config, ...(tls && { tls }), ...(admin && { admin }), ...(ddns && { ddns }), ...(directory && { directory }) };
}
