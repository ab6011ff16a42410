/** Expiry rules and limits of the registrar, from the `registrar:` configuration. */
export interface RegistrarPolicy {
  /** Seconds, when a contact gives neither an `expires` parameter nor the request an Expires header. */
  defaultExpires: number;
  /** Seconds; a shorter non-zero interval is refused with 423 and Min-Expires. */
  minExpires: number;
  /** Seconds; a longer interval is shortened to this. */
  maxExpires: number;
  /** Bindings one AoR may hold. */
  maxContacts: number;
}

export const DEFAULT_REGISTRAR_POLICY: RegistrarPolicy = {
  defaultExpires: 3600,
  minExpires: 60,
  maxExpires: 86400,
  maxContacts: 10,
};
