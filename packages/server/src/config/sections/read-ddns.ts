import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { canonicalName } from '@herald/stack';
import { DDNS_DEFAULTS } from '../../ddns/ddns-service.js';
import { ConfigError } from '../config-error.js';
import type { DdnsAddressSource, DdnsConfig, DdnsSrv } from '../herald-config.js';
import { expectDnsServer, isHostname } from '../host-port.js';
import { MAX_TIMER_MS, type Problems, type WholeNumberKey, allRead, expectBoolean, expectInteger, expectList, expectOneOf, expectString, fileError, readMapList, readSection, readWholeNumbers } from '../validation-kit.js';

const DDNS_KEYS = ['zone', 'server', 'key', 'host', 'address', 'interface', 'ttl', 'records', 'checkInterval', 'withdrawOnShutdown'] as const;
const KEY_KEYS = ['name', 'algorithm', 'secretFile'] as const;
const RECORDS_KEYS = ['address', 'srv', 'naptr'] as const;
const SRV_KEYS = ['service', 'port', 'priority', 'weight'] as const;
const ALGORITHMS = ['hmac-sha256'] as const;
const NUMBER_KEYS = {
  // RFC 2181 §8: a TTL is at most 2^31 - 1 seconds.
  ttl: { unit: 'seconds', max: 2 ** 31 - 1 },
  checkIntervalMs: { key: 'checkInterval', unit: 'seconds', max: Math.floor(MAX_TIMER_MS / 1000), inMs: true },
} satisfies Record<string, WholeNumberKey>;

/** `ddns:`, the node's dynamic DNS self-update (RFC 2136 + TSIG); undefined when absent. The key's secret file is read here. */
export function readDdns(value: unknown, baseDir: string, problems: Problems): DdnsConfig | undefined {
  if (value == null) return undefined;
  const map = readSection('ddns', value, DDNS_KEYS, problems);
  if (map === undefined) return undefined;
  const required = (name: string, fix: string): boolean => {
    if (map[name] != null) return true;
    problems.add(`ddns.${name}`, `is required with ddns; ${fix}`, 'HERALD_ERR_CONFIG_REQUIRED');
    return false;
  };
  const zone = required('zone', 'give the zone the node updates, e.g. zone: example.com') ? problems.check(() => expectDomain('ddns.zone', map.zone)) : undefined;
  const server = required('server', 'give the address of the primary name server that takes updates, e.g. server: "192.0.2.53:53"') ? problems.check(() => expectDnsServer('ddns.server', map.server)) : undefined;
  const key = required('key', 'give the TSIG key, e.g. key: { name: herald-ddns, secretFile: herald-ddns.key }') ? readKey(map.key, baseDir, problems) : undefined;
  const host =
    zone === undefined || !required('host', "give this node's name in the zone, e.g. host: sip1 (for sip1.ZONE)") ? undefined : problems.check(() => expectNodeName('ddns.host', map.host, zone));
  const records = readRecords(map.records, problems);
  const address = readAddressSource(map, records?.address ?? true, problems);
  const numbers = readWholeNumbers('ddns', map, NUMBER_KEYS, DDNS_DEFAULTS, problems);
  const withdrawOnShutdown = problems.check(() => expectBoolean('ddns.withdrawOnShutdown', map.withdrawOnShutdown ?? DDNS_DEFAULTS.withdrawOnShutdown));
  const read = allRead({ zone, server, key, host, records, ...numbers, withdrawOnShutdown });
  if (read === undefined || address === null) return undefined;
  return { ...read, ...(address && { address }) };
}

function readKey(value: unknown, baseDir: string, problems: Problems): DdnsConfig['key'] | undefined {
  const map = readSection('ddns.key', value, KEY_KEYS, problems);
  if (map === undefined) return undefined;
  if (map.name == null) problems.add('ddns.key.name', 'is required; give the name of the key as the name server knows it, e.g. name: herald-ddns', 'HERALD_ERR_CONFIG_REQUIRED');
  if (map.secretFile == null) problems.add('ddns.key.secretFile', 'is required; give the path of the file with the key (the output of `tsig-keygen -a hmac-sha256 NAME`, or the base64 secret alone)', 'HERALD_ERR_CONFIG_REQUIRED');
  const name = map.name == null ? undefined : problems.check(() => expectDomain('ddns.key.name', map.name));
  const algorithm = problems.check(() => expectOneOf('ddns.key.algorithm', map.algorithm ?? DDNS_DEFAULTS.algorithm, ALGORITHMS));
  const secret = map.secretFile == null || name === undefined ? undefined : problems.check(() => readSecretFile('ddns.key.secretFile', map.secretFile, baseDir, name));
  const key = allRead({ name, algorithm, secret });
  return key;
}

/**
 * The base64 secret of a TSIG key, from a file that holds either a BIND `key` statement (as
 * `tsig-keygen` writes it, so one file serves `named.conf` and Herald) or the secret alone.
 */
function readSecretFile(key: string, value: unknown, baseDir: string, name: string): string {
  const path = resolve(baseDir, expectString(key, value));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(key, `cannot read ${path} (${fileError(error)}); give the path of the key file, absolute or relative to ${baseDir}, e.g. the output of \`tsig-keygen -a hmac-sha256 ${name}\``, 'HERALD_ERR_CONFIG_FILE');
  }
  const statement = /key\s+"?([^"\s{]+)"?\s*\{[^}]*secret\s+"([^"]*)"/i.exec(text);
  if (statement && canonicalName(statement[1]) !== name) {
    throw new ConfigError(key, `${path} holds the key "${statement[1]}", not "${name}"; set ddns.key.name: ${statement[1]}, or point secretFile at the file of key ${name}`);
  }
  const secret = (statement ? statement[2] : text).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(secret) || secret.length % 4 !== 0) {
    throw new ConfigError(key, `${path} does not hold a base64 secret; write the secret alone (e.g. the output of \`openssl rand -base64 32\`) or a BIND key statement as \`tsig-keygen -a hmac-sha256 ${name}\` prints it`, 'HERALD_ERR_CONFIG_FILE');
  }
  return secret;
}

function readRecords(value: unknown, problems: Problems): DdnsConfig['records'] | undefined {
  const map = readSection('ddns.records', value, RECORDS_KEYS, problems);
  if (map === undefined) return undefined;
  const address = problems.check(() => expectBoolean('ddns.records.address', map.address ?? DDNS_DEFAULTS.records.address));
  const naptr = problems.check(() => expectBoolean('ddns.records.naptr', map.naptr ?? DDNS_DEFAULTS.records.naptr));
  const srv = readMapList('ddns.records.srv', map.srv, '{ service: _sip._udp, port: 5060 }', SRV_KEYS, problems, (key, entry): DdnsSrv | undefined => {
    const service = problems.check(() => expectService(`${key}.service`, entry.service));
    if (entry.port == null) problems.add(`${key}.port`, "is required; give the port of this node's listener for the service, e.g. port: 5060", 'HERALD_ERR_CONFIG_REQUIRED');
    const port = entry.port == null ? undefined : problems.check(() => expectInteger(`${key}.port`, entry.port, 'port', 65535));
    const priority = problems.check(() => expectInteger(`${key}.priority`, entry.priority ?? DDNS_DEFAULTS.srv.priority, 'priority', 65535, 0));
    const weight = problems.check(() => expectInteger(`${key}.weight`, entry.weight ?? DDNS_DEFAULTS.srv.weight, 'weight', 65535, 0));
    return allRead({ service, port, priority, weight });
  });
  return allRead({ address, srv, naptr });
}

/** The address source, undefined when none is needed, null when it had a problem (recorded). */
function readAddressSource(map: Record<string, unknown>, needed: boolean, problems: Problems): DdnsAddressSource | undefined | null {
  if (map.address != null && map.interface != null) {
    problems.add('ddns.interface', 'cannot be given with ddns.address; keep address for a fixed address, or interface to follow the address of a network interface');
    return null;
  }
  if (map.interface != null) {
    const name = problems.check(() => expectString('ddns.interface', map.interface));
    return name === undefined ? null : { kind: 'interface', name };
  }
  if (map.address != null) {
    const addresses = problems.check(() => expectAddresses('ddns.address', map.address));
    return addresses === undefined ? null : { kind: 'static', addresses };
  }
  if (!needed) return undefined;
  problems.add('ddns.address', 'is required to publish the node\'s address records; give its public address (address: 192.0.2.10, or a list for IPv4 and IPv6), or interface: eth0 to follow an interface, or set records: { address: false }', 'HERALD_ERR_CONFIG_REQUIRED');
  return null;
}

function expectAddresses(key: string, value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : expectList(key, value, '192.0.2.10, "2001:db8::10"');
  if (list.length === 0) throw new ConfigError(key, 'is empty; give at least one address, e.g. address: 192.0.2.10');
  return list.map((entry, i) => {
    const text = expectString(`${key}[${i}]`, entry);
    if (isIP(text) === 0) throw new ConfigError(key, `"${text}" is not an IPv4 or IPv6 address; write e.g. address: 192.0.2.10 or address: "2001:db8::10"`);
    return text.toLowerCase();
  });
}

function expectDomain(key: string, value: unknown): string {
  const text = canonicalName(expectString(key, typeof value === 'number' ? String(value) : value));
  if (!isHostname(text)) throw new ConfigError(key, `"${text}" is not a domain name; write e.g. example.com`);
  return text;
}

/** `sip1` (in the zone) or `sip1.example.com` (already inside it): the fully qualified name. */
function expectNodeName(key: string, value: unknown, zone: string): string {
  const text = expectDomain(key, value);
  return text === zone || text.endsWith(`.${zone}`) ? text : `${text}.${zone}`;
}

/** `_service._proto` (RFC 2782), or `_im._sip` / `_pres._sip` (RFC 3861 §3). */
function expectService(key: string, value: unknown): string {
  if (value == null) throw new ConfigError(key, 'is required; give the SRV owner name relative to the zone, e.g. service: _sip._udp', 'HERALD_ERR_CONFIG_REQUIRED');
  const text = expectString(key, value).toLowerCase();
  if (!/^_[a-z0-9-]+\._[a-z0-9-]+$/.test(text)) throw new ConfigError(key, `"${text}" is not an SRV service name; write _service._proto, e.g. _sip._udp, _sip._tcp, _sips._tcp`);
  return text;
}
