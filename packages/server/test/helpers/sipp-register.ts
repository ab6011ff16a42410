import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SippRun, runSipp } from '@herald/test-kit';

const scenarios = join(dirname(fileURLToPath(import.meta.url)), '../scenarios');

/**
 * Runs one of `test/scenarios/register-*.xml` as a softphone of `user`@example.com:
 * -au/-ap answer the challenge, -auth_uri signs the Request-URI (SIPp adds the "sip:").
 */
export function sippRegister(port: number, scenario: string, transport: 'u1' | 't1', user: string, password: string, keys: Record<string, string> = {}): Promise<SippRun> {
  const extra = ['-s', 'example.com', '-key', 'user', user, '-au', user, '-ap', password, '-auth_uri', 'example.com'];
  for (const [k, v] of Object.entries(keys)) extra.push('-key', k, v);
  return runSipp(join(scenarios, scenario), port, transport, 1, extra);
}
