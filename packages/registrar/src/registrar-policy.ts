import type { ExpiryLimits } from '@herald/proxy';

/**
 * Expiry rules and limits of the registrar (`registrar:` in the configuration), in seconds:
 * the default applies when a contact gives neither an `expires` parameter nor the request
 * an Expires header.
 */
export interface RegistrarPolicy extends ExpiryLimits {
  /** Bindings one AoR may hold. */
  maxContacts: number;
}

export const DEFAULT_REGISTRAR_POLICY: RegistrarPolicy = {
  defaultExpires: 3600,
  minExpires: 60,
  maxExpires: 86400,
  maxContacts: 10,
};
