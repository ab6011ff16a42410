import type { DigestAlgorithm } from '@herald/sip';
import type { DigestPolicy } from './digest-policy.js';

export type AlgorithmOfferPolicy = Pick<DigestPolicy, 'algorithms' | 'sha256UserAgents' | 'sha256Domains' | 'md5OnlyUserAgents'>;

/**
 * Which digest algorithms a client is challenged with, one header each, in order.
 *
 * DEVIATION(RFC 8760 §2.3): a UAS may offer several challenges, and a UAC is to answer the
 * topmost it supports (§2.4); but sipsak, SIPp, SIP.js, JsSIP, baresip before 3.12 and many
 * hardware phones take the first header and give up when it is not MD5. So, like Kamailio,
 * Asterisk and FreeSWITCH, Herald challenges with MD5 alone, and offers every configured
 * algorithm (SHA-256 first by default) only to clients known to choose correctly
 * (`sha256UserAgents`) or in realms whose operator says all clients do (`sha256Domains`).
 * `md5OnlyUserAgents` overrides both. Substrings are compared ignoring case.
 */
export class AlgorithmOffer {
  /** Every configured algorithm, in the configured order. */
  readonly all: readonly DigestAlgorithm[];
  /** The MD5 ones among them; all of them when none is MD5 (then no client can be spared SHA-256). */
  readonly md5: readonly DigestAlgorithm[];
  private readonly sha256Agents: readonly string[];
  private readonly sha256Domains: ReadonlySet<string>;
  private readonly md5OnlyAgents: readonly string[];
  private readonly kinds = new Map<string, AgentKind>();

  constructor(policy: AlgorithmOfferPolicy) {
    this.all = Object.freeze([...policy.algorithms]);
    const md5 = this.all.filter((a) => a === 'MD5' || a === 'MD5-sess');
    this.md5 = md5.length > 0 && md5.length < this.all.length ? Object.freeze(md5) : this.all;
    this.sha256Agents = lowerCase(policy.sha256UserAgents);
    this.sha256Domains = new Set(lowerCase(policy.sha256Domains));
    this.md5OnlyAgents = lowerCase(policy.md5OnlyUserAgents);
  }

  /** The algorithms to challenge a client with: {@link all} or {@link md5} (the same array each time). */
  for(userAgent: string | undefined, realm: string): readonly DigestAlgorithm[] {
    if (this.md5 === this.all) return this.all;
    const kind = userAgent === undefined ? 'other' : this.kindOf(userAgent);
    if (kind === 'md5-only') return this.md5;
    if (this.sha256Domains.has(realm)) return this.all;
    return kind === 'sha256' ? this.all : this.md5;
  }

  /** Which list a User-Agent is on, kept per User-Agent text: a fleet of phones sends a handful of them. */
  private kindOf(userAgent: string): AgentKind {
    let kind = this.kinds.get(userAgent);
    if (kind !== undefined) return kind;
    const agent = userAgent.toLowerCase();
    kind = contains(agent, this.md5OnlyAgents) ? 'md5-only' : contains(agent, this.sha256Agents) ? 'sha256' : 'other';
    if (this.kinds.size >= AGENT_CACHE_SIZE) this.kinds.clear();
    this.kinds.set(userAgent, kind);
    return kind;
  }
}

/** Which of the policy's User-Agent lists a client is on (`md5OnlyUserAgents` wins). */
type AgentKind = 'other' | 'md5-only' | 'sha256';

/** Most User-Agent texts {@link AlgorithmOffer} keeps the kind of; past it, it starts again. */
const AGENT_CACHE_SIZE = 256;

function lowerCase(list: readonly string[]): string[] {
  return list.map((s) => s.toLowerCase());
}

function contains(agent: string, needles: readonly string[]): boolean {
  for (const needle of needles) if (agent.includes(needle)) return true;
  return false;
}
