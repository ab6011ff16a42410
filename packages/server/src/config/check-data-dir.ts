import { type Stats, accessSync, constants, statSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from './config-error.js';
import { fileError } from './validation-kit.js';

/**
 * File systems of the kernel where `mkdir` fails with ENOENT under a directory that exists
 * (procfs) or with EPERM (sysfs). Node's recursive mkdir retries ENOENT for ever, at full
 * CPU and deaf to SIGTERM.
 */
const KERNEL_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
]);

const EXAMPLE = 'dataDir: /var/lib/herald';

function statIfThere(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new ConfigError('dataDir', `cannot look at "${path}" (${fileError(error)}); give a directory this user may use`, 'HERALD_ERR_CONFIG_FILE');
  }
}

/**
 * Checks, before the embedded store opens it, that `dataDir` is a writable directory or a
 * path Herald can create: its nearest existing ancestor a writable directory on a file
 * system that holds files. Nothing is created here. Only the commands that open the
 * embedded store check it (`start`, `user`), so that `herald presence`, run by another
 * user than the daemon's, does not need to write there.
 * @throws ConfigError naming `dataDir` and the fix.
 */
export function checkDataDir(path: string): void {
  let existing = path;
  let stats: Stats | undefined;
  for (;;) {
    stats = statIfThere(existing);
    if (stats !== undefined || dirname(existing) === existing) break;
    existing = dirname(existing);
  }
  const what = existing === path ? `"${path}"` : `"${path}" cannot be created: "${existing}"`;
  if (stats === undefined || !stats.isDirectory()) {
    throw new ConfigError('dataDir', `${what} is not a directory; give a directory for the embedded store's files, e.g. ${EXAMPLE}`, 'HERALD_ERR_CONFIG_FILE');
  }
  const kernel = KERNEL_FILE_SYSTEMS.get(statfsSync(existing).type);
  if (kernel !== undefined) {
    throw new ConfigError('dataDir', `${what} is on ${kernel}, a kernel file system that holds no files; give a directory on a disk, e.g. ${EXAMPLE}`, 'HERALD_ERR_CONFIG_FILE');
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new ConfigError('dataDir', `${what} is not writable (${fileError(error)}); give a directory this user may write, or change its owner`, 'HERALD_ERR_CONFIG_FILE');
  }
}
