import { communityCommandProblem, communityTable } from './community-command.js';

const connector = (up: boolean | null) => ({ connector: 'sip:gw.test', up, lastStatus: null, lastCheckedAt: null, workers: [] });
const community = (name: string, overrides: Record<string, unknown>) => ({
  name,
  enabled: true,
  configured: true,
  runtime: null,
  domains: [`${name}.test`],
  proxies: [],
  transport: null,
  level: 'verified',
  convertIds: false,
  probeInterval: 10,
  connectors: [],
  ...overrides,
});

describe('herald community', () => {
  it('lists the communities as a table: switched on or not, why, domains, connectors up and down', () => {
    const table = communityTable({
      enabled: { configured: true, runtime: null, effective: true },
      communities: [
        community('chicago', { domains: ['chi.acme.test', '*.chi.acme.test'], connectors: [connector(true), connector(false), connector(null)] }),
        community('boston', { enabled: false, runtime: false }),
      ],
      unanswered: 1,
    });
    expect(table.split('\n')).toEqual([
      'all communities: on (config)',
      '',
      'NAME     ENABLED  SOURCE   DOMAINS                        CONNECTORS',
      'chicago  yes      config   chi.acme.test *.chi.acme.test  1 up, 1 down, 1 not probed',
      'boston   no       runtime  boston.test                    - (DNS)',
      '1 worker(s) did not answer: their probes are not shown',
    ]);
  });

  it('names the global switch as the reason when it is off', () => {
    const table = communityTable({ enabled: { configured: true, runtime: false, effective: false }, communities: [community('chicago', { enabled: false })], unanswered: 0 });
    expect(table).toContain('all communities: off (runtime)');
    expect(table).toMatch(/^chicago +no +global switch/m);
  });

  it('wants one name or --all to switch, and nothing to list', () => {
    expect(communityCommandProblem('enable', ['chicago'], new Set())).toBeNull();
    expect(communityCommandProblem('disable', [], new Set(['all']))).toBeNull();
    expect(communityCommandProblem('disable', [], new Set())).toBe('give one community name, or --all for the global switch');
    expect(communityCommandProblem('disable', ['chicago'], new Set(['all']))).toBe('give one community name, or --all for the global switch');
    expect(communityCommandProblem('reset', ['a', 'b'], new Set())).toBe('give one community name, or --all for the global switch');
    expect(communityCommandProblem('list', ['chicago'], new Set())).toBe('takes no name');
    expect(communityCommandProblem('list', [], new Set(['json']))).toBeNull();
    expect(communityCommandProblem('enable', ['chicago'], new Set(['json']))).toBe('--json goes with list');
  });
});
