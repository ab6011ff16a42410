import { type Clock, sendUpdate } from '@herald/stack';
import type { DdnsConfig } from '../config/herald-config.js';
import { addressesOfInterface } from '../local-addresses.js';
import type { Logger } from '../logger.js';
import type { DdnsMetrics } from '../metrics/ddns-metrics.js';
import { DdnsService } from './ddns-service.js';

/**
 * The DDNS service of this node as `ddns:` configures it: updates signed with its TSIG key and
 * sent to its server, its addresses read from the configuration or from its interface.
 */
export function nodeDdns(config: DdnsConfig, clock: Clock, logger: Logger, metrics: DdnsMetrics): DdnsService {
  const source = config.address;
  return new DdnsService({
    config,
    send: (update) => sendUpdate(update, { server: config.server, key: config.key, clock }),
    addresses: () => (source === undefined ? [] : source.kind === 'static' ? source.addresses : addressesOfInterface(source.name)),
    clock,
    logger,
    onResult: (result) => metrics.update(result),
  });
}
