import { Resolver } from 'node:dns/promises';
import { DnsError, type DnsLookup, type NaptrRecord, type SrvRecord } from '@herald/stack';

const NOTHING_THERE = new Set(['ENOTFOUND', 'ENODATA', 'ENONAME']);

/** DNS through Node's resolver (the system's servers). Until the DNS client with TTL cache lands. */
export class SystemDnsLookup implements DnsLookup {
  private readonly resolver = new Resolver();

  async addresses(name: string): Promise<string[]> {
    const [v4, v6] = await Promise.all([this.ask(() => this.resolver.resolve4(name)), this.ask(() => this.resolver.resolve6(name))]);
    return [...v4, ...v6];
  }

  async srv(name: string): Promise<SrvRecord[]> {
    return (await this.ask(() => this.resolver.resolveSrv(name))).map((r) => ({ priority: r.priority, weight: r.weight, port: r.port, target: r.name.toLowerCase() || '.' }));
  }

  async naptr(name: string): Promise<NaptrRecord[]> {
    return (await this.ask(() => this.resolver.resolveNaptr(name))).map((r) => ({
      order: r.order,
      preference: r.preference,
      flags: r.flags.toUpperCase(),
      service: r.service,
      regexp: r.regexp,
      replacement: r.replacement.toLowerCase(),
    }));
  }

  private async ask<T>(question: () => Promise<T[]>): Promise<T[]> {
    try {
      return await question();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (NOTHING_THERE.has(code)) return [];
      throw new DnsError(`DNS: ${code}`, code === 'ETIMEOUT' ? 'SIP_ERR_DNS_TIMEOUT' : 'SIP_ERR_DNS_SERVFAIL', { cause: error });
    }
  }
}
