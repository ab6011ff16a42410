import { freePort } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './herald-process.js';

export const ADMIN_TOKEN = 'presence-admin-token';

/**
 * Herald on UDP with digest off (the watchers and publishers are scripted), the admin API
 * on a port of its own (the CLI reads it from the configuration), accounts for `users` in
 * example.com and the given `presence:` settings, then `extra` configuration.
 */
export async function startPresenceHerald(users: readonly string[], presence: string, extra = ''): Promise<{ herald: HeraldProcess; adminPort: number }> {
  const adminPort = await freePort();
  const herald = await startHerald(`
domains: [example.com]
listen: ["udp://127.0.0.1:0"]
log: { level: info }
auth: { enabled: false }
admin: { listen: "127.0.0.1:${adminPort}", token: "${ADMIN_TOKEN}" }
presence: ${presence}
users:
${users.map((u) => `  - { user: ${u}, domain: example.com, password: "pw-${u}" }`).join('\n')}
${extra}
`);
  return { herald, adminPort };
}
